namespace BatchNormNotebooks.Tests.Autograd;

public class ValueGraphTests
{
    private static (Value Root, Value W1) Neuron()
    {
        var w1 = new Value(0.1, "w1");
        var x1 = new Value(10, "x1");
        var w2 = new Value(-0.05, "w2");
        var x2 = new Value(12, "x2");
        var b = new Value(0.2, "b");
        var z = ((w1 * x1) + (w2 * x2) + b).Named("z11");
        return (z.Sigmoid().Named("a11"), w1);
    }

    [Fact]
    public void Layout_puts_leaves_in_column_zero_and_every_operation_right_of_its_inputs()
    {
        var (root, _) = Neuron();
        var nodes = ValueGraph.Layout(root);
        var at = new Dictionary<Value, ValueGraphNode>(ReferenceEqualityComparer.Instance);
        foreach (var n in nodes)
        {
            at[n.Value] = n;
        }


        Assert.Equal(root.Graph().Count, nodes.Count);
        Assert.All(nodes.Where(n => n.Value.Children.Count == 0), n => Assert.Equal(0, n.Column));
        Assert.All(nodes, n => Assert.All(n.Value.Children, c => Assert.True(at[c].Column < n.Column)));
        Assert.Equal(nodes.Max(n => n.Column), at[root].Column);
        // w1·x1, w2·x2 (column 1) → + (2) → + b (3) → sigmoid (4).
        Assert.Equal(4, at[root].Column);
    }

    [Fact]
    public void Svg_has_one_box_per_value_one_arrow_per_edge_and_shows_labels_data_and_gradients()
    {
        var (root, w1) = Neuron();
        root.Backward();
        string svg = ValueGraph.ToSvg(root);
        var graph = root.Graph();

        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.EndsWith("</svg>", svg, StringComparison.Ordinal);
        Assert.Equal(graph.Count, CountOf(svg, "<rect "));
        Assert.Equal(graph.Sum(v => v.Children.Count), CountOf(svg, "<line "));
        Assert.Contains("a11 = sigmoid", svg, StringComparison.Ordinal);
        Assert.Contains(">w1<", svg, StringComparison.Ordinal);
        Assert.Contains("grad " + w1.Grad.ToString("G4", System.Globalization.CultureInfo.InvariantCulture), svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Svg_escapes_labels()
    {
        var x = new Value(1, "a<b");
        Assert.Contains("a&lt;b", ValueGraph.ToSvg(x), StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int k = text.IndexOf(part, StringComparison.Ordinal); k >= 0; k = text.IndexOf(part, k + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
