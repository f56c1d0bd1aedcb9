using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>Which batch-norm backward a <see cref="BatchNorm1d{T}"/> uses; both give the same gradients.</summary>
public enum BatchNormBackward
{
    /// <summary><c>BatchNormKernels.BackwardClosedForm</c>: two vectorized passes.</summary>
    ClosedForm,

    /// <summary><c>BatchNormKernels.BackwardGraph</c>: node by node through the computational graph.</summary>
    Graph,
}

/// <summary>What a training-mode forward saves for backward: the input and the batch statistics.</summary>
/// <param name="X">The input, shape (batch, features): the caller's matrix itself (after <c>Forward</c> guarded by its
/// version stamp, or a copy the layer owns once its storage was handed out; after <c>ForwardBuffered</c> unguarded,
/// that path's contract: x stays unchanged until backward).</param>
/// <param name="Mean">μ_B per feature.</param>
/// <param name="Variance">Biased σ²_B per feature.</param>
/// <param name="InvStd">1/√(σ²_B + ε) per feature.</param>
public sealed record BatchNormSaved<T>(Matrix<T> X, T[] Mean, T[] Variance, T[] InvStd) where T : IFloatingPointIeee754<T>;

/// <summary>
/// Batch normalization over a (batch, features) input — PyTorch's BatchNorm1d.
/// Training: y = γ·(x − μ_B)/√(σ²_B + ε) + β with the batch's own mean and biased variance (paper Algorithm 1),
/// then the running statistics are updated. Eval: the running statistics replace the batch's (Algorithm 2),
/// unless the convention keeps none.
/// </summary>
/// <remarks>
/// γ (init 1) and β (init 0) are learnable <see cref="Parameter{T}"/>s; <see cref="Running"/> is non-learnable state.
/// Bad input: a feature count other than <see cref="Features"/> or a training batch of 1 throws
/// <see cref="ArgumentException"/>; NaN or ±∞ in a training batch throws <see cref="ArgumentException"/> naming the
/// first bad element (it would silently turn the whole feature column and the running statistics into NaN); in eval
/// mode each output depends only on its own input, so a NaN input gives a NaN output in that element only.
/// A training Forward that throws leaves no forward behind (<see cref="Saved"/> is null) and the next Backward throws
/// instead of returning the previous batch's gradient. <see cref="Forward"/> keeps x by reference and notes its
/// version stamp (as PyTorch does): assigning an element of x between Forward and Backward makes Backward throw an
/// <see cref="InvalidOperationException"/> saying so; if x's storage is handed out (<see cref="Matrix{T}.Data"/>,
/// <see cref="Matrix{T}.Row"/>), where writes bypass the stamp, the layer first copies x, so dx always belongs to the
/// forward. (Until issue 22 Forward always copied x: one more pass over x, about 2 ms of 13 at (4096, 1024).)
/// <see cref="ForwardBuffered"/> (the training path of <see cref="Sequential{T}"/>, where x is the previous layer's
/// own buffer) keeps a reference to x unchecked: x must stay unchanged until the backward.
/// The buffers behind <see cref="Saved"/> are reused by the next training Forward of the same batch size.
/// Taught in notebooks/03-batchnorm-algorithm and 05-moving-averages-inference.
/// </remarks>
public sealed class BatchNorm1d<T> : ILayer<T>, IGuardedBufferedForward<T> where T : IFloatingPointIeee754<T>
{
    private BatchNormSaved<T>? _saved;
    private bool _ready;
    private bool _lastForwardWasTraining;
    private readonly KeptInput<T> _x = new();
    private Matrix<T>? _y;
    private Matrix<T>? _ySpare;
    private Matrix<T>? _dx;
    private T[]? _mean, _variance, _invStd;

    /// <summary>Creates a batch-norm layer over <paramref name="features"/> features.</summary>
    /// <param name="features">Number of features (columns), &gt; 0.</param>
    /// <param name="convention">Running-statistics convention; default <see cref="BatchNormConvention.PyTorch"/>.</param>
    /// <param name="name">Prefix of the parameter names.</param>
    public BatchNorm1d(int features, BatchNormConvention? convention = null, string name = "bn")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        Convention = convention ?? BatchNormConvention.PyTorch;
        Features = features;
        Gamma = new Parameter<T>($"{name}.gamma", Enumerable.Repeat(T.One, features).ToArray());
        Beta = new Parameter<T>($"{name}.beta", new T[features]);
        Running = new RunningStatistics<T>(features, Convention);
        Parameters = [Gamma, Beta];
        Name = $"BatchNorm1d({features})";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Number of features.</summary>
    public int Features { get; }

    /// <summary>The running-statistics convention and ε.</summary>
    public BatchNormConvention Convention { get; }

    /// <summary>ε as T.</summary>
    public T Epsilon => T.CreateChecked(Convention.Epsilon);

    /// <summary>Learnable scale γ, initialised to 1.</summary>
    public Parameter<T> Gamma { get; }

    /// <summary>Learnable shift β, initialised to 0.</summary>
    public Parameter<T> Beta { get; }

    /// <summary>Non-learnable running mean and variance.</summary>
    public RunningStatistics<T> Running { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <inheritdoc/>
    public bool Training { get; set; } = true;

    /// <summary>Which backward to use (default closed form).</summary>
    public BatchNormBackward BackwardMethod { get; set; } = BatchNormBackward.ClosedForm;

    /// <summary>What the last training-mode forward saved (null before the first one).</summary>
    public BatchNormSaved<T>? Saved => _ready && _lastForwardWasTraining && _saved is not null ? WithCurrentInput(_saved) : null;

    /// <summary>Forward pass; returns a new (batch, features) matrix.</summary>
    public Matrix<T> Forward(Matrix<T> x)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        return ForwardInto(x, Matrix<T>.Uninitialized(x.Rows, x.Cols), keepGuarded: true);
    }

    /// <inheritdoc/>
    public Matrix<T> ForwardBuffered(Matrix<T> x) => ForwardIntoBuffer(x, keepGuarded: false);

    /// <inheritdoc/>
    Matrix<T> IGuardedBufferedForward<T>.ForwardBufferedGuarded(Matrix<T> x) => ForwardIntoBuffer(x, keepGuarded: true);

    private Matrix<T> ForwardIntoBuffer(Matrix<T> x, bool keepGuarded)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        return ForwardInto(x, LayerBuffer.Ensure(ref _y, ref _ySpare, x.Rows, x.Cols), keepGuarded);
    }

    /// <summary>Backward pass of the last training-mode forward; returns a new (batch, features) matrix.</summary>
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

    private Matrix<T> ForwardInto(Matrix<T> x, Matrix<T> y, bool keepGuarded)
    {
        if (x.Cols != Features)
        {
            throw new ArgumentException($"{Name} expects input shape (batch, {Features}) but got {x.Shape}.", nameof(x));
        }

        bool small = x.Storage.Length < BatchNormKernels.ParallelThreshold;   // span overloads: no per-call closure
        bool useBatchStats = Training || !Convention.TrackRunningStats;
        _lastForwardWasTraining = useBatchStats;
        if (!useBatchStats)
        {
            if (small)
            {
                BatchNormKernels.ForwardEval<T>(x.Storage.AsSpan(), x.Rows, Gamma.Value, Beta.Value, Running.Mean, Running.Variance, Epsilon, y.Storage);
            }
            else
            {
                BatchNormKernels.ForwardEval<T>(x.Storage, x.Rows, Gamma.Value, Beta.Value, Running.Mean, Running.Variance, Epsilon, y.Storage);
            }

            GC.KeepAlive(x);   // x's storage may be pooled: it stays x's until the kernel is done
            _ready = true;
            return y;
        }

        if (x.Rows < 2)
        {
            throw new ArgumentException($"Expected more than 1 value per channel when training, got input of shape {x.Shape}: {(x.Rows == 0 ? "an empty batch has no mean or variance" : "a batch of one has no variance")}. Call with a larger batch, or set Training = false to use the running statistics.", nameof(x));
        }

        _mean ??= new T[Features];
        _variance ??= new T[Features];
        _invStd ??= new T[Features];
        if (small)
        {
            BatchNormKernels.ForwardTrain<T>(x.Storage.AsSpan(), x.Rows, Gamma.Value, Beta.Value, Epsilon, _mean, _variance, _invStd, y.Storage);
        }
        else
        {
            BatchNormKernels.ForwardTrain<T>(x.Storage, x.Rows, Gamma.Value, Beta.Value, Epsilon, _mean, _variance, _invStd, y.Storage);
        }

        ThrowIfNotFinite(x, _mean, _variance);
        var saved = keepGuarded ? _x.Keep(x) : _x.Reference(x);
        if (_saved is null || !ReferenceEquals(_saved.X, saved))
        {
            _saved = new BatchNormSaved<T>(saved, _mean, _variance, _invStd);
        }

        if (Training && Convention.TrackRunningStats)
        {
            Running.Update(_mean, _variance, x.Rows);
        }

        _ready = true;
        return y;
    }

    private Matrix<T> BackwardInto(Matrix<T> dy, Matrix<T> dx)
    {
        if (!_ready || _saved is null || !_lastForwardWasTraining)
        {
            throw new InvalidOperationException(_ready || _mean is null
                ? $"{Name}.Backward needs a training-mode Forward first."
                : $"{Name}.Backward: the last Forward threw, so there is no batch to differentiate; call Forward again with a valid batch.");
        }

        var x = _x.ForBackward(Name);
        if (dy.Rows != x.Rows || dy.Cols != x.Cols)
        {
            throw new ArgumentException($"{Name}.Backward: dy must have the shape of y: expected shape {x.Shape} but got {dy.Shape}.", nameof(dy));
        }

        // Below the kernels' parallel threshold call the span overloads: the array overloads allocate a closure per call.
        bool small = dy.Storage.Length < BatchNormKernels.ParallelThreshold;
        if (BackwardMethod == BatchNormBackward.Graph)
        {
            BatchNormKernels.BackwardGraph<T>(dy.Storage, x.Storage, dy.Rows, Gamma.Value, _saved.Mean, _saved.InvStd, dx.Storage, Gamma.Grad, Beta.Grad);
        }
        else if (small)
        {
            BatchNormKernels.BackwardClosedForm<T>(dy.Storage.AsSpan(), x.Storage, dy.Rows, Gamma.Value, _saved.Mean, _saved.InvStd, dx.Storage, Gamma.Grad, Beta.Grad);
        }
        else
        {
            BatchNormKernels.BackwardClosedForm<T>(dy.Storage, x.Storage, dy.Rows, Gamma.Value, _saved.Mean, _saved.InvStd, dx.Storage, Gamma.Grad, Beta.Grad);
        }

        GC.KeepAlive(dy);   // dy's storage may be pooled: it stays dy's until the kernels are done
        return dx;
    }

    private BatchNormSaved<T> WithCurrentInput(BatchNormSaved<T> saved) =>
        _x.Saved is { } x && !ReferenceEquals(x, saved.X) ? (_saved = saved with { X = x }) : saved;

    private static void ThrowIfNotFinite(Matrix<T> x, T[] mean, T[] variance)
    {
        for (int j = 0; j < mean.Length; j++)
        {
            if (T.IsFinite(mean[j]) && T.IsFinite(variance[j]))
            {
                continue;
            }

            for (int i = 0; i < x.Rows; i++)
            {
                if (!T.IsFinite(x[i, j]))
                {
                    throw new ArgumentException($"x[{i}, {j}] is {x[i, j]}: batch norm would turn all of feature {j} and its running statistics into NaN. Clean the input first.", nameof(x));
                }
            }

            throw new ArgumentException($"Feature {j} overflows: its mean or variance is not finite although every input is. Scale the input down.", nameof(x));
        }
    }
}
