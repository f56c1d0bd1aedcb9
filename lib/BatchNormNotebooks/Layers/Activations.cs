using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>An element-wise activation a = g(z) whose backward needs z and a.</summary>
/// <remarks>Forward keeps z by reference with its version stamp (assigning an element of z before Backward makes
/// Backward throw; if z's storage is handed out the layer copies z first) and a in a buffer of its own, returning a
/// copy (changing the returned matrix does not change the gradient); <see cref="ForwardBuffered"/> (the training path)
/// keeps a reference to z unchecked, so there z must stay unchanged until the backward. A Forward that throws leaves no
/// forward behind, so Backward then throws.</remarks>
public abstract class Activation<T> : ILayer<T>, IGuardedBufferedForward<T> where T : IFloatingPointIeee754<T>
{
    private readonly KeptInput<T> _z = new();
    private Matrix<T>? _a;
    private Matrix<T>? _aSpare;
    private Matrix<T>? _dx;
    private bool _ready;

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public bool Training { get; set; } = true;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter<T>> Parameters => [];

    /// <inheritdoc/>
    public Matrix<T> Forward(Matrix<T> x) => ForwardInto(x, keepGuarded: true).Clone();

    /// <inheritdoc/>
    public Matrix<T> ForwardBuffered(Matrix<T> x) => ForwardInto(x, keepGuarded: false);

    /// <inheritdoc/>
    Matrix<T> IGuardedBufferedForward<T>.ForwardBufferedGuarded(Matrix<T> x) => ForwardInto(x, keepGuarded: true);

    private Matrix<T> ForwardInto(Matrix<T> x, bool keepGuarded)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        var a = LayerBuffer.Ensure(ref _a, ref _aSpare, x.Rows, x.Cols);
        if (!ElementLocal || !CoreSplit.TryRun(x.Storage.Length, SplitElements, (Layer: this, Z: x.Storage, A: a.Storage),
                static (job, start, length) => job.Layer.Apply(job.Z.AsSpan(start, length), job.A.AsSpan(start, length))))
        {
            Apply(x.Storage, a.Storage);
        }

        _ = keepGuarded ? _z.Keep(x) : _z.Reference(x);
        _ready = true;
        return a;
    }

    /// <inheritdoc/>
    public Matrix<T> Backward(Matrix<T> dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        return BackwardInto(dy, Matrix<T>.Uninitialized(dy.Rows, dy.Cols));
    }

    /// <inheritdoc/>
    public Matrix<T> BackwardBuffered(Matrix<T> dy, bool needInputGradient = true)
    {
        ArgumentNullException.ThrowIfNull(dy);
        return BackwardInto(dy, LayerBuffer.Ensure(ref _dx, dy.Rows, dy.Cols));
    }

    private Matrix<T> BackwardInto(Matrix<T> dy, Matrix<T> dx)
    {
        if (!_ready || _a is null || _z.Saved is null)
        {
            throw new InvalidOperationException($"{Name}.Backward needs a Forward first{(_a is null ? "" : " (the last Forward threw, so there is nothing to differentiate)")}.");
        }

        if (dy.Rows != _a.Rows || dy.Cols != _a.Cols)
        {
            throw new ArgumentException($"{Name}.Backward: dy must have the shape of the output: expected shape {_a.Shape} but got {dy.Shape}.", nameof(dy));
        }

        InputGradient(_z.ForBackward(Name).Storage, _a.Storage, dy.Storage, dx.Storage);
        GC.KeepAlive(dy);   // dy's storage may be pooled: it stays dy's until the kernels are done
        return dx;
    }

    /// <summary>dx[i] = g′(z[i])·dy[i]: <see cref="Derivative"/>, then the product (one fused pass where a subclass has one).</summary>
    private protected virtual void InputGradient(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dy, Span<T> dx)
    {
        Derivative(z, a, dx);
        Elementwise.Multiply<T>(dx, dy, dx);
    }

    /// <summary>destination[i] = g(z[i]).</summary>
    protected abstract void Apply(ReadOnlySpan<T> z, Span<T> destination);

    /// <summary>Inputs of at least this many elements are split between cores when <see cref="ElementLocal"/>. One MNIST
    /// hidden layer's 60 × 100 sigmoid (2.7 µs on one core here) stays on the caller: split, it took as long in the
    /// training step, and the next layer read half its input from the other core's cache.</summary>
    internal const int SplitElements = 16384;

    /// <summary>True for the library's activations whose every output element depends on its own input alone, bit
    /// for bit (<see cref="Elementwise.Sigmoid{T}"/>, <see cref="Elementwise.Tanh{T}"/>): their forward may run in parts
    /// on several cores with the same result.</summary>
    private protected virtual bool ElementLocal => false;

    /// <summary>destination[i] = g′(z[i]), given z and a = g(z).</summary>
    protected abstract void Derivative(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> destination);
}

/// <summary>Sigmoid σ(z) = 1/(1 + e^(−z)), σ′ = σ(1 − σ). The lecture's g(z11) = a11; the paper's MLP units.</summary>
public sealed class Sigmoid<T> : Activation<T> where T : IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public override string Name => "Sigmoid";

    /// <inheritdoc/>
    private protected override bool ElementLocal => true;

    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<T> z, Span<T> destination) => Elementwise.Sigmoid(z, destination);

    /// <inheritdoc/>
    protected override void Derivative(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> destination)
    {
        Elementwise.SigmoidSlope(a, destination);
    }

    /// <inheritdoc/>
    private protected override void InputGradient(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dy, Span<T> dx) =>
        Elementwise.SigmoidBackward(a, dy, dx);
}

/// <summary>tanh(z), derivative 1 − tanh².</summary>
public sealed class Tanh<T> : Activation<T> where T : IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public override string Name => "Tanh";

    /// <inheritdoc/>
    private protected override bool ElementLocal => true;

    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<T> z, Span<T> destination) => Elementwise.Tanh(z, destination);

    /// <inheritdoc/>
    protected override void Derivative(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> destination)
    {
        TensorPrimitives.Multiply(a, a, destination);
        TensorPrimitives.Subtract(T.One, destination, destination);
    }
}

/// <summary>ReLU max(0, z), derivative 1 where z &gt; 0 and 0 elsewhere (0 at the kink, as PyTorch).</summary>
public sealed class ReLU<T> : Activation<T> where T : IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public override string Name => "ReLU";

    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<T> z, Span<T> destination) => TensorPrimitives.Max(z, T.Zero, destination);

    /// <inheritdoc/>
    protected override void Derivative(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> destination)
    {
        for (int i = 0; i < z.Length; i++)
        {
            destination[i] = z[i] > T.Zero ? T.One : T.Zero;
        }
    }
}
