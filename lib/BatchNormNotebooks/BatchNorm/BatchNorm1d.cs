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
/// <param name="X">The input, shape (batch, features).</param>
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
/// Taught in notebooks/03-batchnorm-algorithm and 05-moving-averages-inference.
/// </remarks>
public sealed class BatchNorm1d<T> : ILayer<T> where T : IFloatingPointIeee754<T>
{
    private BatchNormSaved<T>? _saved;
    private bool _lastForwardWasTraining;

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

    public IReadOnlyList<Parameter<T>> Parameters { get; }

    public bool Training { get; set; } = true;

    /// <summary>Which backward to use (default closed form).</summary>
    public BatchNormBackward BackwardMethod { get; set; } = BatchNormBackward.ClosedForm;

    /// <summary>What the last training-mode forward saved (null before the first one).</summary>
    public BatchNormSaved<T>? Saved => _saved;

    public Matrix<T> Forward(Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != Features)
        {
            throw new ArgumentException($"{Name} expects input shape (batch, {Features}) but got {x.Shape}.", nameof(x));
        }

        var y = new Matrix<T>(x.Rows, x.Cols);
        bool useBatchStats = Training || !Convention.TrackRunningStats;
        _lastForwardWasTraining = useBatchStats;
        if (!useBatchStats)
        {
            BatchNormKernels.ForwardEval<T>(x.Data, x.Rows, Gamma.Value, Beta.Value, Running.Mean, Running.Variance, Epsilon, y.Data);
            return y;
        }

        if (x.Rows < 2)
        {
            throw new ArgumentException($"Expected more than 1 value per channel when training, got input of shape {x.Shape}: {(x.Rows == 0 ? "an empty batch has no mean or variance" : "a batch of one has no variance")}. Call with a larger batch, or set Training = false to use the running statistics.", nameof(x));
        }

        var saved = new BatchNormSaved<T>(x, new T[Features], new T[Features], new T[Features]);
        BatchNormKernels.ForwardTrain<T>(x.Data, x.Rows, Gamma.Value, Beta.Value, Epsilon, saved.Mean, saved.Variance, saved.InvStd, y.Data);
        ThrowIfNotFinite(x, saved.Mean, saved.Variance);
        _saved = saved;
        if (Training && Convention.TrackRunningStats)
        {
            Running.Update(saved.Mean, saved.Variance, x.Rows);
        }

        return y;
    }

    public Matrix<T> Backward(Matrix<T> dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        if (_saved is null || !_lastForwardWasTraining)
        {
            throw new InvalidOperationException($"{Name}.Backward needs a training-mode Forward first.");
        }

        _saved.X.EnsureSameShape(dy, $"{Name}.Backward: dy must have the shape of y");
        var dx = new Matrix<T>(dy.Rows, dy.Cols);
        if (BackwardMethod == BatchNormBackward.Graph)
        {
            BatchNormKernels.BackwardGraph<T>(dy.Data, _saved.X.Data, dy.Rows, Gamma.Value, _saved.Mean, _saved.InvStd, dx.Data, Gamma.Grad, Beta.Grad);
        }
        else
        {
            BatchNormKernels.BackwardClosedForm<T>(dy.Data, _saved.X.Data, dy.Rows, Gamma.Value, _saved.Mean, _saved.InvStd, dx.Data, Gamma.Grad, Beta.Grad);
        }

        return dx;
    }

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
