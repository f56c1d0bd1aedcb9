using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>
/// A fully connected layer: y = x·W + b, x of shape (batch, in), W of shape (in, out), b of length out.
/// The lecture's neuron z11 = w1·x1 + w2·x2 + b is a Linear(2, 1).
/// </summary>
/// <remarks>Init as PyTorch: W and b uniform in [−1/√in, 1/√in]. With batch norm after it the bias is
/// redundant (paper §3.2: β takes its role); pass <c>bias: false</c>. Taught in notebooks/01-backprop-recap.
/// Forward copies x into a buffer the layer owns (backward needs it for dW = xᵀ·dy), so changing x in place after
/// Forward does not change the gradients — PyTorch throws in that case instead; copying costs one pass over x, small
/// next to the product. <see cref="ForwardBuffered"/> (the training path) keeps a reference to x instead: x must stay
/// unchanged until the backward. A Forward that throws leaves no forward behind: the next Backward throws.</remarks>
public sealed class Linear<T> : ILayer<T> where T : IFloatingPointIeee754<T>
{
    private Matrix<T>? _x;
    private Matrix<T>? _xCopy;
    private Matrix<T>? _xCopySpare;
    private Matrix<T>? _y;
    private Matrix<T>? _ySpare;
    private Matrix<T>? _dx;
    private T[]? _weightTransposed;
    private bool _ready;

    /// <summary>Creates a Linear(in, out) initialised from <paramref name="random"/>.</summary>
    public Linear(int inFeatures, int outFeatures, SeededRandom random, bool bias = true, string name = "linear")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentNullException.ThrowIfNull(random);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        double bound = 1.0 / Math.Sqrt(inFeatures);
        Weight = new Parameter<T>($"{name}.weight", new T[inFeatures * outFeatures]);
        for (int k = 0; k < Weight.Value.Length; k++)
        {
            Weight.Value[k] = T.CreateChecked(random.NextUniform(-bound, bound));
        }

        Bias = bias ? new Parameter<T>($"{name}.bias", new T[outFeatures]) : null;
        if (Bias is not null)
        {
            for (int k = 0; k < outFeatures; k++)
            {
                Bias.Value[k] = T.CreateChecked(random.NextUniform(-bound, bound));
            }
        }

        Parameters = Bias is null ? [Weight] : [Weight, Bias];
        Name = $"Linear({inFeatures}→{outFeatures}{(bias ? "" : ", no bias")})";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>W, shape (in, out) row-major: W[k, o] at k·out + o.</summary>
    public Parameter<T> Weight { get; }

    /// <summary>b, length out; null without bias.</summary>
    public Parameter<T>? Bias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <inheritdoc/>
    public bool Training { get; set; } = true;

    /// <summary>W as a (in, out) matrix view sharing the parameter's storage.</summary>
    public Matrix<T> WeightMatrix => new(InFeatures, OutFeatures, Weight.Value);

    /// <summary>Forward: effectively y[i, o] = Σ_k x[i, k]·W[k, o] + b[o]; returns a new (batch, out) matrix.</summary>
    public Matrix<T> Forward(Matrix<T> x)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        var y = new Matrix<T>(x.Rows, OutFeatures, GC.AllocateUninitializedArray<T>(x.Rows * OutFeatures));
        return ForwardInto(x, y, copyInput: true);
    }

    /// <inheritdoc/>
    public Matrix<T> ForwardBuffered(Matrix<T> x)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        return ForwardInto(x, LayerBuffer.Ensure(ref _y, ref _ySpare, x.Rows, OutFeatures), copyInput: false);
    }

    /// <summary>Backward: dW = xᵀ·dy, db = Σ_i dy_i, dx = dy·Wᵀ; returns a new (batch, in) matrix.</summary>
    public Matrix<T> Backward(Matrix<T> dy) => BackwardBuffered(dy).Clone();

    /// <inheritdoc/>
    public Matrix<T> BackwardBuffered(Matrix<T> dy, bool needInputGradient = true)
    {
        ArgumentNullException.ThrowIfNull(dy);
        if (!_ready || _x is null)
        {
            throw new InvalidOperationException($"{Name}.Backward needs a Forward first{(_x is null ? "" : " (the last Forward threw, so there is nothing to differentiate)")}.");
        }

        if (dy.Rows != _x.Rows || dy.Cols != OutFeatures)
        {
            throw new ArgumentException($"{Name}.Backward: dy must have shape ({_x.Rows}, {OutFeatures}) but got {dy.Shape}.", nameof(dy));
        }

        int m = _x.Rows;
        MatrixProduct.MultiplyTransposedA<T>(_x.Data, dy.Data, m, InFeatures, OutFeatures, Weight.Grad);            // dW = xᵀ·dy
        if (Bias is not null)
        {
            Bias.ZeroGrad();
            for (int i = 0; i < m; i++)
            {
                Elementwise.Add<T>(Bias.Grad, dy.Row(i), Bias.Grad);                                             // db = Σ_i dy_i
            }
        }

        var dx = LayerBuffer.Ensure(ref _dx, m, InFeatures);
        if (needInputGradient)
        {
            _weightTransposed ??= new T[InFeatures * OutFeatures];
            MatrixProduct.MultiplyTransposedB<T>(dy.Data, Weight.Value, m, OutFeatures, InFeatures, dx.Data, _weightTransposed); // dx = dy·Wᵀ
        }

        return dx;
    }

    private Matrix<T> ForwardInto(Matrix<T> x, Matrix<T> y, bool copyInput)
    {
        if (x.Cols != InFeatures)
        {
            throw new ArgumentException($"{Name} expects input shape (batch, {InFeatures}) but got {x.Shape}.", nameof(x));
        }

        if (Bias is null)
        {
            MatrixProduct.Multiply<T>(x.Data, Weight.Value, x.Rows, InFeatures, OutFeatures, y.Data);
        }
        else
        {
            for (int i = 0; i < x.Rows; i++)
            {
                Bias.Value.CopyTo(y.Row(i));
            }

            MatrixProduct.AddProduct<T>(x.Data, Weight.Value, x.Rows, InFeatures, OutFeatures, y.Data);
        }

        _x = copyInput ? LayerBuffer.CopyOf(ref _xCopy, ref _xCopySpare, x) : x;
        _ready = true;
        return y;
    }

    /// <summary>
    /// Folds an eval-mode batch norm that follows this layer into one Linear (paper Algorithm 2, step 11):
    /// W'[k, o] = W[k, o]·α[o], b'[o] = (b[o] − E[o])·α[o] + β[o] with α = γ/√(Var + ε).
    /// The result gives the same eval outputs as this layer followed by <paramref name="batchNorm"/>.
    /// </summary>
    public Linear<T> FoldBatchNorm(BatchNorm1d<T> batchNorm)
    {
        ArgumentNullException.ThrowIfNull(batchNorm);
        if (batchNorm.Features != OutFeatures)
        {
            throw new ArgumentException($"Cannot fold {batchNorm.Name} into {Name}: feature counts differ.", nameof(batchNorm));
        }

        if (!batchNorm.Convention.TrackRunningStats)
        {
            throw new InvalidOperationException("A batch norm without running statistics depends on the batch and cannot be folded.");
        }

        var folded = new Linear<T>(InFeatures, OutFeatures, new SeededRandom(0), bias: true, name: "folded");
        T eps = batchNorm.Epsilon;
        for (int o = 0; o < OutFeatures; o++)
        {
            T alpha = batchNorm.Gamma.Value[o] / T.Sqrt(batchNorm.Running.Variance[o] + eps);
            for (int k = 0; k < InFeatures; k++)
            {
                folded.Weight.Value[(k * OutFeatures) + o] = Weight.Value[(k * OutFeatures) + o] * alpha;
            }

            T b = Bias is null ? T.Zero : Bias.Value[o];
            folded.Bias!.Value[o] = ((b - batchNorm.Running.Mean[o]) * alpha) + batchNorm.Beta.Value[o];
        }

        return folded;
    }
}
