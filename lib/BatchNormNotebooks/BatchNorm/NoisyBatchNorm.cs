using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// "Noisy" batch norm (Santurkar et al. 2018, "How Does Batch Normalization Help Optimization?", §2.1): an ordinary
/// <see cref="BatchNorm1d{T}"/> followed by a random per-feature scale and shift that change at every training step,
/// so the distribution the next layer sees keeps moving — deliberately more covariate shift than without BN.
/// </summary>
/// <remarks>
/// Input and output have shape (batch, features). Training: a = BN(x), then y[i,j] = s[j]·a[i,j] + m[j] with
/// s[j] ~ U(<see cref="MinScale"/>, <see cref="MaxScale"/>) and m[j] ~ U(−<see cref="MaxShift"/>, <see cref="MaxShift"/>)
/// drawn fresh from the seeded generator at every training-mode forward (unless <see cref="HoldNoise"/> is set).
/// Eval: the noise is off, y = BN(x) with the running statistics. Backward: ∂loss/∂a = s ⊙ ∂loss/∂y, then the batch-norm
/// backward; γ and β are the only learnable parameters. Taught in notebooks/02-internal-covariate-shift.
/// </remarks>
public sealed class NoisyBatchNorm<T> : ILayer<T> where T : IFloatingPointIeee754<T>
{
    private readonly SeededRandom _random;
    private bool _training = true;

    /// <summary>Creates a batch norm over <paramref name="features"/> features with per-step random scale and shift.</summary>
    /// <param name="features">Number of features (columns), &gt; 0.</param>
    /// <param name="random">Source of the noise (seeded, so runs repeat).</param>
    /// <param name="maxShift">Shift m is drawn from U(−maxShift, maxShift), maxShift ≥ 0.</param>
    /// <param name="minScale">Scale s is drawn from U(minScale, maxScale), 0 &lt; minScale ≤ maxScale.</param>
    /// <param name="maxScale">Upper end of the scale's range.</param>
    /// <param name="name">Prefix of the parameter names.</param>
    public NoisyBatchNorm(int features, SeededRandom random, double maxShift = 1.0, double minScale = 0.5, double maxScale = 2.0, string name = "noisybn")
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minScale);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxScale, minScale);
        _random = random;
        BatchNorm = new BatchNorm1d<T>(features, name: name);
        MaxShift = maxShift;
        MinScale = minScale;
        MaxScale = maxScale;
        Scale = Enumerable.Repeat(T.One, features).ToArray();
        Shift = new T[features];
        Name = $"NoisyBatchNorm({features})";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The ordinary batch norm inside (γ, β and the running statistics).</summary>
    public BatchNorm1d<T> BatchNorm { get; }

    /// <summary>Half-width of the shift's range.</summary>
    public double MaxShift { get; }

    /// <summary>Lower end of the scale's range.</summary>
    public double MinScale { get; }

    /// <summary>Upper end of the scale's range.</summary>
    public double MaxScale { get; }

    /// <summary>The scale s of the last training step, one per feature.</summary>
    public T[] Scale { get; }

    /// <summary>The shift m of the last training step, one per feature.</summary>
    public T[] Shift { get; }

    /// <summary>When true, training-mode forwards reuse the current s and m instead of drawing new ones (for gradient checks).</summary>
    public bool HoldNoise { get; set; }

    /// <summary>γ and β of the inner <see cref="BatchNorm"/>; the noise s and m is not learned.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => BatchNorm.Parameters;

    /// <inheritdoc/>
    /// <remarks>Switches the inner <see cref="BatchNorm"/> too; in eval mode the noise is off.</remarks>
    public bool Training
    {
        get => _training;
        set
        {
            _training = value;
            BatchNorm.Training = value;
        }
    }

    /// <summary>Draws a fresh scale and shift for every feature.</summary>
    public void Resample()
    {
        for (int j = 0; j < Scale.Length; j++)
        {
            Scale[j] = T.CreateChecked(_random.NextUniform(MinScale, MaxScale));
            Shift[j] = T.CreateChecked(_random.NextUniform(-MaxShift, MaxShift));
        }
    }

    /// <summary>Forward pass, x (batch, features) → y (batch, features): y = BN(x) in eval mode; in training mode
    /// y[i,j] = s[j]·BN(x)[i,j] + m[j] with s and m drawn fresh (see <see cref="Resample"/>) unless
    /// <see cref="HoldNoise"/> is set.</summary>
    public Matrix<T> Forward(Matrix<T> x)
    {
        var a = BatchNorm.Forward(x);
        if (!_training)
        {
            return a;
        }

        if (!HoldNoise)
        {
            Resample();
        }

        for (int i = 0; i < a.Rows; i++)
        {
            Span<T> row = a.Row(i);
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = (Scale[j] * row[j]) + Shift[j];
            }
        }

        return a;
    }

    /// <summary>Backward pass of the last training-mode forward, dy (batch, features) → dx (batch, features):
    /// ∂loss/∂a = s ⊙ dy (the shift m has derivative 1 and no parameter), then the batch-norm backward, which writes
    /// γ's and β's gradients.</summary>
    /// <exception cref="InvalidOperationException">The layer is in eval mode.</exception>
    /// <exception cref="ArgumentException">dy has the wrong number of columns.</exception>
    public Matrix<T> Backward(Matrix<T> dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        if (!_training)
        {
            throw new InvalidOperationException($"{Name}.Backward needs a training-mode Forward first.");
        }

        if (dy.Cols != Scale.Length)
        {
            throw new ArgumentException($"{Name}.Backward expects dy of shape (batch, {Scale.Length}) but got {dy.Shape}.", nameof(dy));
        }

        var da = new Matrix<T>(dy.Rows, dy.Cols);
        for (int i = 0; i < dy.Rows; i++)
        {
            ReadOnlySpan<T> dyi = dy.Row(i);
            Span<T> dai = da.Row(i);
            for (int j = 0; j < dai.Length; j++)
            {
                dai[j] = Scale[j] * dyi[j];
            }
        }

        return BatchNorm.Backward(da);
    }

    /// <summary>The layer's <see cref="Name"/>, e.g. "NoisyBatchNorm(100)".</summary>
    public override string ToString() => Name;
}
