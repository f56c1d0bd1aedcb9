namespace BatchNormNotebooks;

/// <summary>
/// A scalar that remembers how it was computed, for reverse-mode autodiff by hand (micrograd-sized).
/// Each primitive operation builds its output and attaches the local derivative right there; derived operations
/// (minus, divide) are built from primitives and need no backward of their own.
/// </summary>
/// <example><code>
/// var w1 = new Value(0.1, "w1"); var x1 = new Value(10, "x1"); ...
/// var a = (w1 * x1 + w2 * x2 + b).Sigmoid(); a.Backward(); // w1.Grad == ∂a/∂w1
/// </code></example>
/// <remarks>Taught in notebooks/01-backprop-recap.</remarks>
public sealed class Value
{
    private Action _backward = () => { };

    /// <summary>A leaf value.</summary>
    public Value(double data, string label = "")
        : this(data, label, [], "")
    {
    }

    private Value(double data, string label, Value[] children, string op)
    {
        Data = data;
        Label = label;
        Children = children;
        Op = op;
    }

    /// <summary>The number.</summary>
    public double Data { get; set; }

    /// <summary>∂(the value <see cref="Backward"/> was called on)/∂(this), filled by <see cref="Backward"/>.</summary>
    public double Grad { get; set; }

    /// <summary>A name for drawing the graph, e.g. "w1" or "z11".</summary>
    public string Label { get; set; }

    /// <summary>The operation that produced this value ("+", "*", "sigmoid", …); empty for leaves.</summary>
    public string Op { get; }

    /// <summary>The inputs of that operation.</summary>
    public IReadOnlyList<Value> Children { get; }

    /// <summary>A constant as an unlabelled leaf, so <c>2 * x</c> and <c>x + 1</c> work; its gradient is computed but
    /// belongs to no named value.</summary>
    public static implicit operator Value(double d) => new(d);

    /// <summary>a + b, a primitive; local derivatives ∂/∂a = 1 and ∂/∂b = 1, so both inputs receive the output's
    /// gradient unchanged (accumulated with +=, since a value may feed several operations).</summary>
    public static Value operator +(Value a, Value b)
    {
        var o = new Value(a.Data + b.Data, "", [a, b], "+");
        o._backward = () =>
        {
            a.Grad += o.Grad;
            b.Grad += o.Grad;
        };
        return o;
    }

    /// <summary>a · b, a primitive; local derivatives ∂/∂a = b and ∂/∂b = a (accumulated with +=).</summary>
    public static Value operator *(Value a, Value b)
    {
        var o = new Value(a.Data * b.Data, "", [a, b], "*");
        o._backward = () =>
        {
            a.Grad += b.Data * o.Grad;
            b.Grad += a.Data * o.Grad;
        };
        return o;
    }

    /// <summary>−a, built as a · (−1): derived, no backward of its own.</summary>
    public static Value operator -(Value a) => a * -1.0;

    /// <summary>a − b, built as a + (−b): derived, no backward of its own.</summary>
    public static Value operator -(Value a, Value b) => a + (-b);

    /// <summary>a / b, built as a · b^(−1) with <see cref="Pow"/>: derived, no backward of its own.</summary>
    public static Value operator /(Value a, Value b) => a * b.Pow(-1);

    /// <summary>this^k for a constant k; d/dx = k·x^(k−1).</summary>
    public Value Pow(double k)
    {
        var o = new Value(Math.Pow(Data, k), "", [this], $"^{k}");
        o._backward = () => Grad += k * Math.Pow(Data, k - 1) * o.Grad;
        return o;
    }

    /// <summary>e^x; d/dx = e^x.</summary>
    public Value Exp()
    {
        var o = new Value(Math.Exp(Data), "", [this], "exp");
        o._backward = () => Grad += o.Data * o.Grad;
        return o;
    }

    /// <summary>ln x; d/dx = 1/x.</summary>
    public Value Log()
    {
        var o = new Value(Math.Log(Data), "", [this], "log");
        o._backward = () => Grad += o.Grad / Data;
        return o;
    }

    /// <summary>σ(x) = 1/(1 + e^(−x)); d/dx = σ(1 − σ).</summary>
    public Value Sigmoid()
    {
        var o = new Value(1 / (1 + Math.Exp(-Data)), "", [this], "sigmoid");
        o._backward = () => Grad += o.Data * (1 - o.Data) * o.Grad;
        return o;
    }

    /// <summary>tanh x; d/dx = 1 − tanh².</summary>
    public Value Tanh()
    {
        var o = new Value(Math.Tanh(Data), "", [this], "tanh");
        o._backward = () => Grad += (1 - (o.Data * o.Data)) * o.Grad;
        return o;
    }

    /// <summary>max(0, x); d/dx = 1 for x &gt; 0, else 0.</summary>
    public Value Relu()
    {
        var o = new Value(Math.Max(0, Data), "", [this], "relu");
        o._backward = () => Grad += (Data > 0 ? 1 : 0) * o.Grad;
        return o;
    }

    /// <summary>Gives this value a label and returns it, for drawing: <c>(w1 * x1).Named("w1·x1")</c>.</summary>
    public Value Named(string label)
    {
        Label = label;
        return this;
    }

    /// <summary>Every value this one depends on, inputs before outputs (topological order), this one last.</summary>
    public IReadOnlyList<Value> Graph()
    {
        var order = new List<Value>();
        var seen = new HashSet<Value>(ReferenceEqualityComparer.Instance);
        void Build(Value v)
        {
            if (seen.Add(v))
            {
                foreach (var c in v.Children)
                {
                    Build(c);
                }

                order.Add(v);
            }
        }

        Build(this);
        return order;
    }

    /// <summary>Backpropagation: sets every Grad in the graph to ∂this/∂(that value), by the chain rule in reverse
    /// topological order.</summary>
    public void Backward()
    {
        var order = Graph();
        foreach (var v in order)
        {
            v.Grad = 0;
        }

        Grad = 1;
        for (int k = order.Count - 1; k >= 0; k--)
        {
            order[k]._backward();
        }
    }

    /// <summary>"Value(w1 = 0.1, grad 10)", or "Value(0.1, grad 10)" without a label; numbers with 6 significant digits.</summary>
    public override string ToString() => $"Value({(Label.Length > 0 ? Label + " = " : "")}{Data:G6}, grad {Grad:G6})";
}
