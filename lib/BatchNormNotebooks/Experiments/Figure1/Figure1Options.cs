namespace BatchNormNotebooks;

/// <summary>
/// Settings of the paper's §4.1 MNIST experiment (<see cref="Figure1Experiment"/>). The defaults are the full-scale
/// run: 784 → 100 → 100 → 100 → 10 sigmoid MLP, weights N(0, <see cref="InitStd"/>²), mini-batches of 60,
/// 50,000 steps of plain SGD, test accuracy on all 10,000 test digits every 500 steps.
/// </summary>
/// <remarks>Taught in notebooks/02-internal-covariate-shift.</remarks>
public sealed record Figure1Options
{
    /// <summary>SGD steps per network (the paper: 50,000).</summary>
    public int Steps { get; init; } = 50_000;

    /// <summary>Examples per mini-batch (the paper: 60).</summary>
    public int BatchSize { get; init; } = 60;

    /// <summary>Units per hidden layer (the paper: 100).</summary>
    public int HiddenUnits { get; init; } = 100;

    /// <summary>Hidden layers (the paper: 3).</summary>
    public int HiddenLayers { get; init; } = 3;

    /// <summary>σ of the Gaussian every weight is drawn from (mean 0); biases start at 0. The paper says only
    /// "small random Gaussian values"; 0.1 is our choice.</summary>
    public double InitStd { get; init; } = 0.1;

    /// <summary>Seed of the weights (the same weights for both networks) and, via <see cref="Seed"/> + 1, of the
    /// mini-batch order (the same batches for both networks).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Record the test metrics every this many steps after <see cref="EarlyRecordUntil"/>.</summary>
    public int RecordEvery { get; init; } = 500;

    /// <summary>Record every this many steps up to <see cref="EarlyRecordUntil"/> (the fast early rise).</summary>
    public int EarlyRecordEvery { get; init; } = 50;

    /// <summary>The step up to which <see cref="EarlyRecordEvery"/> applies.</summary>
    public int EarlyRecordUntil { get; init; } = 500;

    /// <summary>The "typical" sigmoid of the last hidden layer whose input is recorded: a fixed unit index. The
    /// weights are i.i.d. at the start, so every index is as typical as any other.</summary>
    public int ProbeUnit { get; init; }

    /// <summary>Test digits used for accuracy and percentiles (null: all of the test set).</summary>
    public int? TestCount { get; init; }

    /// <summary>Learning rates tried by <see cref="Figure1Experiment.ChooseLearningRate"/> (plain SGD).</summary>
    public IReadOnlyList<double> LearningRateGrid { get; init; } = [0.1, 0.3, 1, 3, 10];

    /// <summary>Steps of each learning-rate trial.</summary>
    public int TuningSteps { get; init; } = 2_000;

    /// <summary>The last this many training digits are held out for choosing the learning rate (trials train on
    /// the rest); the final runs train on all training digits.</summary>
    public int TuningHeldOut { get; init; } = 10_000;

    /// <summary>The steps at which a run records: 0, then every <see cref="EarlyRecordEvery"/> up to
    /// <see cref="EarlyRecordUntil"/>, then every <see cref="RecordEvery"/>, and always the last step.</summary>
    public IReadOnlyList<int> RecordSteps()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RecordEvery);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EarlyRecordEvery);
        var steps = new SortedSet<int> { 0, Steps };
        for (int s = EarlyRecordEvery; s <= Math.Min(EarlyRecordUntil, Steps); s += EarlyRecordEvery)
        {
            steps.Add(s);
        }

        for (int s = RecordEvery; s <= Steps; s += RecordEvery)
        {
            if (s >= EarlyRecordUntil)
            {
                steps.Add(s);
            }
        }

        return [.. steps];
    }
}
