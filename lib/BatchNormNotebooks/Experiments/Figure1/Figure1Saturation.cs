using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>
/// Saturation across the whole last hidden layer of a Figure 1 network early in training, not only at the probed unit:
/// retrains the first steps of a stored run (same options, seed, batches and learning rate as
/// <see cref="Figure1Experiment.Train"/>) and reads the inputs of all the layer's sigmoids on the test digits.
/// </summary>
/// <remarks>Taught in notebooks/02-internal-covariate-shift (the stall of the network without BN).</remarks>
public static class Figure1Saturation
{
    /// <summary>The network of <see cref="Figure1Experiment.Train"/> after its first <paramref name="steps"/> SGD steps at
    /// <paramref name="learningRate"/>: the same weights, batches and update order, without the evaluations (which
    /// change no state), so it is the network Train records at that step.</summary>
    public static Sequential<float> TrainFirstSteps(bool batchNorm, double learningRate, Dataset<float> train, Figure1Options options, int steps)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var net = Figure1Experiment.BuildNetwork(batchNorm, options, train.X.Cols);
        var sgd = new Sgd<float>(net.Parameters, learningRate);
        var loss = new SoftmaxCrossEntropy<float>();
        var batches = new MiniBatchSampler<float>(train, options.BatchSize, options.Seed + 1);
        for (int step = 0; step < steps; step++)
        {
            var (x, y) = batches.Next();
            loss.Forward(net.ForwardBuffered(x), y);
            net.BackwardBuffered(loss.BackwardBuffered(), needInputGradient: false);
            sgd.Step();
        }

        return net;
    }

    /// <summary>
    /// In eval mode, the inputs z of the last hidden layer's sigmoids (<see cref="Figure1Experiment.ProbeLayer"/>) over
    /// the first <paramref name="count"/> digits of <paramref name="test"/>: the share of all (digit, unit) inputs whose
    /// slope σ'(z) = σ(z)(1 − σ(z)) is below <paramref name="slopeBelow"/>, the share of units whose median input has
    /// such a slope, and the median input of unit <paramref name="probeUnit"/> (as <see cref="Figure1Curve.P50"/> records it).
    /// </summary>
    public static (double InputShare, double UnitShare, double ProbeMedian) Measure(Sequential<float> net, Dataset<float> test, int probeUnit,
        double slopeBelow = 0.05, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slopeBelow);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slopeBelow, 0.25);
        int n = Math.Min(count ?? test.Count, test.Count), layer = Figure1Experiment.ProbeLayer(net);
        double[][] z = [];
        net.Training = false;
        try
        {
            for (int start = 0; start < n; start += Figure1Experiment.EvaluationChunk)
            {
                int rows = Math.Min(Figure1Experiment.EvaluationChunk, n - start);
                var probe = net.ForwardAll(test.X.SliceRows(start, rows))[layer];
                if (z.Length == 0)
                {
                    ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(probeUnit, probe.Cols);
                    ArgumentOutOfRangeException.ThrowIfNegative(probeUnit);
                    z = [.. Enumerable.Range(0, probe.Cols).Select(_ => new double[n])];
                }

                for (int j = 0; j < probe.Cols; j++)
                {
                    for (int i = 0; i < rows; i++)
                    {
                        z[j][start + i] = probe[i, j];
                    }
                }
            }
        }
        finally
        {
            net.Training = true;
        }

        double inputShare = z.Average(unit => unit.Average(v => Slope(v) < slopeBelow ? 1.0 : 0.0));
        double unitShare = z.Average(unit => Slope(Trainer.Percentile(unit, 50)) < slopeBelow ? 1.0 : 0.0);
        return (inputShare, unitShare, Trainer.Percentile(z[probeUnit], 50));
    }

    /// <summary>σ'(z) = σ(z)(1 − σ(z)) = 1 / (4 cosh²(z/2)).</summary>
    public static double Slope(double z)
    {
        double c = Math.Cosh(z / 2);
        return 1 / (4 * c * c);
    }
}
