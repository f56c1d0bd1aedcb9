using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>
/// A fully connected layer: y = x·W + b, x of shape (batch, in), W of shape (in, out), b of length out.
/// The lecture's neuron z11 = w1·x1 + w2·x2 + b is a Linear(2, 1).
/// </summary>
/// <remarks>Init as PyTorch: W and b uniform in [−1/√in, 1/√in]. With batch norm after it the bias is
/// redundant (paper §3.2: β takes its role); pass <c>bias: false</c>. Taught in notebooks/01-backprop-recap.
/// Forward keeps x (backward needs it for dW = xᵀ·dy) by reference with its version stamp, as PyTorch does: assigning
/// an element of x before Backward makes Backward throw; if x's storage is handed out (<see cref="Matrix{T}.Data"/>,
/// <see cref="Matrix{T}.Row"/>) the layer copies x first, so the gradients always belong to the forward.
/// <see cref="ForwardBuffered"/> (the training path) keeps a reference to x unchecked: x must stay unchanged until the
/// backward. A Forward that throws leaves no forward behind: the next Backward throws.</remarks>
public sealed class Linear<T> : ILayer<T>, IGuardedBufferedForward<T> where T : IFloatingPointIeee754<T>
{
    private readonly KeptInput<T> _x = new();
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
        return ForwardInto(x, Matrix<T>.Uninitialized(x.Rows, OutFeatures), keepGuarded: true);
    }

    /// <inheritdoc/>
    public Matrix<T> ForwardBuffered(Matrix<T> x) => ForwardIntoBuffer(x, keepGuarded: false);

    /// <inheritdoc/>
    Matrix<T> IGuardedBufferedForward<T>.ForwardBufferedGuarded(Matrix<T> x) => ForwardIntoBuffer(x, keepGuarded: true);

    private Matrix<T> ForwardIntoBuffer(Matrix<T> x, bool keepGuarded)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        return ForwardInto(x, LayerBuffer.Ensure(ref _y, ref _ySpare, x.Rows, OutFeatures), keepGuarded);
    }

    /// <summary>Backward: dW = xᵀ·dy, db = Σ_i dy_i, dx = dy·Wᵀ; returns a new (batch, in) matrix.</summary>
    public Matrix<T> Backward(Matrix<T> dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        return BackwardInto(dy, Matrix<T>.Uninitialized(dy.Rows, InFeatures), needInputGradient: true);
    }

    /// <inheritdoc/>
    public Matrix<T> BackwardBuffered(Matrix<T> dy, bool needInputGradient = true)
    {
        ArgumentNullException.ThrowIfNull(dy);
        return BackwardInto(dy, LayerBuffer.Ensure(ref _dx, dy.Rows, InFeatures), needInputGradient);
    }

    /// <summary>The backward into <paramref name="dx"/> (shape (batch, in); every element written when
    /// <paramref name="needInputGradient"/>).</summary>
    private Matrix<T> BackwardInto(Matrix<T> dy, Matrix<T> dx, bool needInputGradient)
    {
        if (!_ready || _x.Saved is null)
        {
            throw new InvalidOperationException($"{Name}.Backward needs a Forward first{(_x.Saved is null ? "" : " (the last Forward threw, so there is nothing to differentiate)")}.");
        }

        var x = _x.ForBackward(Name);
        if (dy.Rows != x.Rows || dy.Cols != OutFeatures)
        {
            throw new ArgumentException($"{Name}.Backward: dy must have shape ({x.Rows}, {OutFeatures}) but got {dy.Shape}.", nameof(dy));
        }

        int m = x.Rows;
        if (needInputGradient)
        {
            // dW = xᵀ·dy and dx = dy·Wᵀ, side by side on two cores when that pays (MatrixProduct.Gradients.cs)
            _weightTransposed ??= new T[InFeatures * OutFeatures];
            MatrixProduct.LinearGradients<T>(x.Storage, dy.Storage, Weight.Value, m, InFeatures, OutFeatures, Weight.Grad, dx.Storage, _weightTransposed);
        }
        else
        {
            MatrixProduct.MultiplyTransposedA<T>(x.Storage, dy.Storage, m, InFeatures, OutFeatures, Weight.Grad);        // dW = xᵀ·dy
        }

        if (Bias is not null)
        {
            Bias.ZeroGrad();
            for (int i = 0; i < m; i++)
            {
                Elementwise.Add<T>(Bias.Grad, dy.StorageRow(i), Bias.Grad);                                             // db = Σ_i dy_i
            }
        }

        GC.KeepAlive(dy);   // dy's storage may be pooled: it stays dy's until the kernels are done
        return dx;
    }

    private Matrix<T> ForwardInto(Matrix<T> x, Matrix<T> y, bool keepGuarded)
    {
        if (x.Cols != InFeatures)
        {
            throw new ArgumentException($"{Name} expects input shape (batch, {InFeatures}) but got {x.Shape}.", nameof(x));
        }

        if (Bias is null)
        {
            MatrixProduct.Multiply<T>(x.Storage, Weight.Value, x.Rows, InFeatures, OutFeatures, y.Storage);
        }
        else
        {
            for (int i = 0; i < x.Rows; i++)
            {
                Bias.Value.CopyTo(y.StorageRow(i));
            }

            MatrixProduct.AddProduct<T>(x.Storage, Weight.Value, x.Rows, InFeatures, OutFeatures, y.Storage);
        }

        _ = keepGuarded ? _x.Keep(x) : _x.Reference(x);
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
