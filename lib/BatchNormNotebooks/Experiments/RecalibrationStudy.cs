using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>One seed of <see cref="RecalibrationStudy.Run"/>.</summary>
/// <param name="Seed">Seed of the weights and of the batch order.</param>
/// <param name="RunningVarianceError">Largest relative error max_j |r_j / v_j − 1| of the running variances r left by
/// training against the exact variances v of the batch-norm input over the training set (final weights).</param>
/// <param name="FrozenEmaVarianceError">The same error for a control: the same moving average (PyTorch convention,
/// batches of 32) fed only batches of the <em>final</em> weights, median over the control orders. It is what batch
/// noise alone leaves; the gap to <paramref name="RunningVarianceError"/> is what the changing weights add.</param>
/// <param name="AccuracyRunning">Eval-mode test accuracy with the running statistics.</param>
/// <param name="AccuracyRecalibrated">Eval-mode test accuracy with the exact statistics (recalibrated).</param>
public sealed record RecalibrationResult(ulong Seed, double RunningVarianceError, double FrozenEmaVarianceError, double AccuracyRunning,
    double AccuracyRecalibrated);

/// <summary>
/// Recalibration of batch norm's running statistics (notebooks/05-moving-averages-inference, section 6): the network of
/// section 5 (Linear 2→16 → BatchNorm1d → ReLU → Linear 16→1 → Sigmoid) trained on two moons (400 points, noise 0.15,
/// data seed 1; test data seed 2) with SGD η = 0.5, batches of 32, 400 steps. Compares its running variances with the
/// exact ones of the final weights, against a frozen-weights control, and the test accuracy before and after
/// recalibration.
/// </summary>
public static class RecalibrationStudy
{
    private const int Hidden = 16;
    private const int BatchSize = 32;
    private const int Steps = 400;

    private static readonly Lazy<(Dataset<double> Train, Dataset<double> Test)> s_data =
        new(() => (TwoMoons.Generate(400, seed: 1, noise: 0.15), TwoMoons.Generate(400, seed: 2, noise: 0.15)));

    /// <summary>The notebook's network (section 5's <c>MakeNet</c>) for a seed.</summary>
    public static Sequential<double> Network(ulong seed)
    {
        var random = new SeededRandom(seed);
        return new Sequential<double>(new Linear<double>(2, Hidden, random), new BatchNorm1d<double>(Hidden), new ReLU<double>(),
            new Linear<double>(Hidden, 1, random), new Sigmoid<double>());
    }

    /// <summary>Trains one seed and measures the running statistics' error, the control's and both accuracies.</summary>
    /// <param name="seed">Weights and batch order.</param>
    /// <param name="controlOrders">Batch orders of the frozen-weights control (the median is reported).</param>
    public static RecalibrationResult Run(ulong seed, int controlOrders = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(controlOrders, 1);
        var (train, test) = s_data.Value;
        var net = Network(seed);
        Trainer.Train(net, new BinaryCrossEntropy<double>(), new Sgd<double>(net.Parameters, 0.5).Step, train, null,
            new TrainingOptions(Steps, BatchSize, Seed: seed));
        net.Training = false;
        var bn = (BatchNorm1d<double>)net.Layers[1];
        var input = net.Layers[0].Forward(train.X);
        var (exactMean, exactVariance) = ExactStatistics(input);
        double runningError = MaxRelativeError(bn.Running.Variance, exactVariance);
        double[] control = [.. Enumerable.Range(0, controlOrders).Select(k => MaxRelativeError(FrozenEma(input, 1000 + (ulong)k), exactVariance)).Order()];
        double accuracyRunning = Trainer.Accuracy(net.Forward(test.X), test.Y);
        exactMean.CopyTo(bn.Running.Mean, 0);
        exactVariance.CopyTo(bn.Running.Variance, 0);
        double accuracyRecalibrated = Trainer.Accuracy(net.Forward(test.X), test.Y);
        return new RecalibrationResult(seed, runningError, control[control.Length / 2], accuracyRunning, accuracyRecalibrated);
    }

    /// <summary>Per column, the mean and the biased variance (divide by n) over all rows.</summary>
    public static (double[] Mean, double[] Variance) ExactStatistics(Matrix<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var mean = new double[x.Cols];
        var variance = new double[x.Cols];
        for (int j = 0; j < x.Cols; j++)
        {
            double sum = 0;
            for (int i = 0; i < x.Rows; i++)
            {
                sum += x[i, j];
            }

            mean[j] = sum / x.Rows;
            double squares = 0;
            for (int i = 0; i < x.Rows; i++)
            {
                double d = x[i, j] - mean[j];
                squares += d * d;
            }

            variance[j] = squares / x.Rows;
        }

        return (mean, variance);
    }

    /// <summary>max_j |estimate_j / exact_j − 1|.</summary>
    public static double MaxRelativeError(IReadOnlyList<double> estimate, IReadOnlyList<double> exact)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        ArgumentNullException.ThrowIfNull(exact);
        if (estimate.Count != exact.Count || exact.Count == 0)
        {
            throw new ArgumentException($"Need two lists of the same positive length (got {estimate.Count} and {exact.Count}).");
        }

        return estimate.Zip(exact).Max(p => Math.Abs((p.First / p.Second) - 1));
    }

    /// <summary>The PyTorch moving average of the variance, fed <see cref="Steps"/> batches of the fixed inputs.</summary>
    private static double[] FrozenEma(Matrix<double> input, ulong seed)
    {
        var running = new RunningStatistics<double>(input.Cols, BatchNormConvention.PyTorch);
        var rng = new SeededRandom(seed);
        int[] order = rng.Permutation(input.Rows);
        int cursor = 0;
        for (int t = 0; t < Steps; t++)
        {
            if (cursor + BatchSize > order.Length)
            {
                rng.Shuffle<int>(order);
                cursor = 0;
            }

            var (mean, variance) = ExactStatistics(input.GatherRows(order.AsSpan(cursor, BatchSize)));
            cursor += BatchSize;
            running.Update(mean, variance, BatchSize);
        }

        return running.Variance;
    }
}
