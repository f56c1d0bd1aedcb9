namespace BatchNormNotebooks;

/// <summary>What "momentum" means in a framework's running-statistics update.</summary>
public enum MomentumMeaning
{
    /// <summary>PyTorch: momentum is the weight of the NEW batch value: running = (1 − m)·running + m·batch (m = 0.1).</summary>
    WeightOfNewValue,

    /// <summary>Keras: momentum is the weight of the OLD running value: running = m·running + (1 − m)·batch (m = 0.99).</summary>
    WeightOfOldValue,

    /// <summary>PyTorch momentum=None: the plain (cumulative) mean of every batch statistic so far, running += (batch − running)/t.</summary>
    CumulativeAverage,
}

/// <summary>
/// How a batch-norm layer keeps its running (moving-average) statistics and which ε it uses.
/// Every preset normalizes a training batch with the biased batch variance (paper Algorithm 1); they differ in
/// what they remember for inference:
/// <list type="table">
/// <item><term><see cref="PyTorch"/></term><description>momentum 0.1 on the new value, running var unbiased m/(m−1), ε 1e-5, running var starts at 1.</description></item>
/// <item><term><see cref="Keras"/></term><description>momentum 0.99 on the old value, running var biased, ε 1e-3.</description></item>
/// <item><term><see cref="CumulativeAverage"/></term><description>PyTorch momentum=None: (μ1+…+μt)/t, unbiased var, ε 1e-5.</description></item>
/// <item><term><see cref="NoRunningStats"/></term><description>PyTorch track_running_stats=False: batch statistics in eval mode too.</description></item>
/// </list>
/// Running averages are never bias-corrected (unlike Adam's moments), so they start biased toward (mean 0, var 1).
/// Taught in notebooks/05-moving-averages-inference.
/// </summary>
public sealed record BatchNormConvention
{
    private readonly double _momentum;
    private readonly double _epsilon;

    /// <summary>Creates a convention; <paramref name="momentum"/> is ignored for <see cref="MomentumMeaning.CumulativeAverage"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε ≤ 0 or not finite, or momentum outside [0, 1].</exception>
    public BatchNormConvention(string name, MomentumMeaning meaning, double momentum, bool unbiasedRunningVariance, double epsilon, bool trackRunningStats = true)
    {
        _epsilon = ValidEpsilon(epsilon, nameof(epsilon));
        _momentum = ValidMomentum(momentum, nameof(momentum));
        Name = name;
        Meaning = meaning;
        UnbiasedRunningVariance = unbiasedRunningVariance;
        TrackRunningStats = trackRunningStats;
    }

    /// <summary>PyTorch BatchNorm1d defaults: momentum 0.1 (new value), unbiased running var, ε 1e-5.</summary>
    public static BatchNormConvention PyTorch { get; } = new("PyTorch", MomentumMeaning.WeightOfNewValue, 0.1, true, 1e-5);

    /// <summary>Keras BatchNormalization defaults: momentum 0.99 (old value), biased running var, ε 1e-3.</summary>
    public static BatchNormConvention Keras { get; } = new("Keras", MomentumMeaning.WeightOfOldValue, 0.99, false, 1e-3);

    /// <summary>PyTorch with momentum=None: cumulative average of all batch statistics, unbiased var, ε 1e-5.</summary>
    public static BatchNormConvention CumulativeAverage { get; } = new("Cumulative average", MomentumMeaning.CumulativeAverage, 0, true, 1e-5);

    /// <summary>PyTorch with track_running_stats=False: no running statistics; eval mode uses the batch statistics.</summary>
    public static BatchNormConvention NoRunningStats { get; } = new("No running stats", MomentumMeaning.WeightOfNewValue, 0.1, true, 1e-5, trackRunningStats: false);

    /// <summary>Display name.</summary>
    public string Name { get; init; }

    /// <summary>What <see cref="Momentum"/> weighs.</summary>
    public MomentumMeaning Meaning { get; init; }

    /// <summary>The momentum in the sense of <see cref="Meaning"/>, in [0, 1]; checked by <c>with { Momentum = … }</c> too.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, 1] or NaN.</exception>
    public double Momentum
    {
        get => _momentum;
        init => _momentum = ValidMomentum(value, nameof(Momentum));
    }

    /// <summary>Whether the running variance stores the unbiased estimate m/(m−1)·σ²_B (PyTorch) or σ²_B (Keras).</summary>
    public bool UnbiasedRunningVariance { get; init; }

    /// <summary>ε added to the variance before the square root, finite and &gt; 0; checked by <c>with { Epsilon = … }</c> too.</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε ≤ 0, NaN or infinite.</exception>
    public double Epsilon
    {
        get => _epsilon;
        init => _epsilon = ValidEpsilon(value, nameof(Epsilon));
    }

    /// <summary>Whether running statistics are kept and used in eval mode.</summary>
    public bool TrackRunningStats { get; init; }

    /// <summary>The same convention with another ε (validated).</summary>
    public BatchNormConvention WithEpsilon(double epsilon) => new(Name, Meaning, Momentum, UnbiasedRunningVariance, epsilon, TrackRunningStats);

    /// <summary>The same convention with another momentum (validated).</summary>
    public BatchNormConvention WithMomentum(double momentum) => new(Name, Meaning, momentum, UnbiasedRunningVariance, Epsilon, TrackRunningStats);

    /// <summary>The weight of the new batch value in the update after <paramref name="batchesSeen"/> batches (1-based).</summary>
    public double NewValueWeight(long batchesSeen) => Meaning switch
    {
        MomentumMeaning.WeightOfNewValue => Momentum,
        MomentumMeaning.WeightOfOldValue => 1 - Momentum,
        _ => 1.0 / batchesSeen,
    };

    private static double ValidEpsilon(double epsilon, string name) => epsilon > 0 && double.IsFinite(epsilon)
        ? epsilon
        : throw new ArgumentOutOfRangeException(name, epsilon, "Batch-norm ε must be a finite number > 0 (PyTorch uses 1e-5, Keras 1e-3): with ε = 0 a constant feature gives 0/0 = NaN.");

    private static double ValidMomentum(double momentum, string name) => momentum is >= 0 and <= 1
        ? momentum
        : throw new ArgumentOutOfRangeException(name, momentum, "Batch-norm momentum must lie in [0, 1].");

    public override string ToString() => Meaning == MomentumMeaning.CumulativeAverage
        ? $"{Name}: cumulative average, {(UnbiasedRunningVariance ? "unbiased" : "biased")} running var, ε = {Epsilon:G3}"
        : $"{Name}: momentum {Momentum} ({(Meaning == MomentumMeaning.WeightOfNewValue ? "weight of new value" : "weight of old value")}), {(UnbiasedRunningVariance ? "unbiased" : "biased")} running var, ε = {Epsilon:G3}{(TrackRunningStats ? "" : ", no running stats")}";
}
