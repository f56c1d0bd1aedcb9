using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>How <see cref="Trainer.Train{T}"/> runs.</summary>
/// <param name="Steps">Mini-batch steps (the paper's Figure 1 ran 50,000).</param>
/// <param name="BatchSize">Examples per step (the paper used 60); batches are drawn from a seeded reshuffle each epoch.</param>
/// <param name="Seed">Seed of the shuffling.</param>
/// <param name="EvaluateEvery">Evaluate on the test set (eval mode) every this many steps, and at the last step.</param>
/// <param name="EvaluationSize">At most this many test examples per evaluation.</param>
/// <param name="ProbeUnit">Which unit (column) of every layer's output the percentiles follow.</param>
/// <param name="Percentiles">Percentiles recorded at each evaluation, default 15, 50, 85 (paper Figure 1 b, c).</param>
public sealed record TrainingOptions(int Steps, int BatchSize, ulong Seed = 0, int EvaluateEvery = 100, int EvaluationSize = 1000,
    int ProbeUnit = 0, IReadOnlyList<double>? Percentiles = null);

/// <summary>What happened during training: per-step loss and batch accuracy, per-evaluation test metrics and,
/// per layer, percentiles of one unit's output over the evaluation examples.</summary>
public sealed class TrainingHistory
{
    /// <summary>Step numbers 1…n of <see cref="Loss"/> and <see cref="BatchAccuracy"/>.</summary>
    public List<int> Steps { get; } = [];

    /// <summary>Training loss on each step's mini-batch (before the update).</summary>
    public List<double> Loss { get; } = [];

    /// <summary>Accuracy on each step's mini-batch.</summary>
    public List<double> BatchAccuracy { get; } = [];

    /// <summary>Steps at which the test set was evaluated.</summary>
    public List<int> EvaluationSteps { get; } = [];

    /// <summary>Test accuracy at each evaluation.</summary>
    public List<double> TestAccuracy { get; } = [];

    /// <summary>Test loss at each evaluation.</summary>
    public List<double> TestLoss { get; } = [];

    /// <summary>Percentiles[layer][evaluation][p]: the p-th requested percentile of unit ProbeUnit of layer's output.</summary>
    public List<List<double[]>> Percentiles { get; } = [];

    /// <summary>The requested percentiles, e.g. 15, 50, 85.</summary>
    public IReadOnlyList<double> PercentileLevels { get; init; } = [15, 50, 85];

    /// <summary>True when the loss became NaN or infinite and training stopped early.</summary>
    public bool Diverged { get; set; }

    /// <summary>Wall-clock seconds of the whole run.</summary>
    public double Seconds { get; set; }

    /// <summary>The mean of the last <paramref name="count"/> training losses (∞ if diverged).</summary>
    public double FinalLoss(int count = 20) => Diverged || Loss.Count == 0 ? double.PositiveInfinity : Loss.TakeLast(count).Average();

    /// <summary>Percentile series for one layer: Band(p)[e] = the p-th percentile level at evaluation e.</summary>
    public double[] PercentileSeries(int layer, int level) => [.. Percentiles[layer].Select(p => p[level])];

    /// <summary>One line: steps, seconds, whether it diverged, the final loss and the last test metrics.</summary>
    public override string ToString() =>
        $"{Steps.Count} steps in {Seconds:F1} s{(Diverged ? " — DIVERGED" : "")}; final loss {FinalLoss():G4}" +
        (TestAccuracy.Count > 0 ? $", test accuracy {TestAccuracy[^1]:P1}" : "");
}

/// <summary>
/// A mini-batch training loop: forward, loss, backward, optimizer step; evaluates and records a
/// <see cref="TrainingHistory"/> so a notebook cell is one call. Taught from notebooks/01-backprop-recap on.
/// </summary>
public static class Trainer
{
    /// <summary>Trains <paramref name="model"/> in place.</summary>
    /// <param name="model">The network; left in training mode, also when an exception escapes.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="optimizerStep">Updates the parameters from their gradients, e.g. <c>sgd.Step</c>.</param>
    /// <param name="train">Training data.</param>
    /// <param name="test">Evaluation data (null: no evaluations).</param>
    /// <param name="options">Steps, batch size, seed, evaluation schedule; checked before the first step.</param>
    /// <param name="progress">Called about ten times with a one-line status, for long runs.</param>
    /// <remarks>Each step gathers its mini-batch into buffers the trainer owns and runs the network through its
    /// layers' own buffers (<see cref="Sequential{T}.ForwardBuffered"/>), so the network allocates nothing per step.</remarks>
    public static TrainingHistory Train<T>(Sequential<T> model, ILoss<T> loss, Action optimizerStep, Dataset<T> train, Dataset<T>? test,
        TrainingOptions options, Action<string>? progress = null)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizerStep);
        ArgumentNullException.ThrowIfNull(train);
        Validate(options, train, test);

        var history = new TrainingHistory { PercentileLevels = options.Percentiles ?? [15, 50, 85] };
        foreach (var _ in model.Layers)
        {
            history.Percentiles.Add([]);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batches = new MiniBatchSampler<T>(train, options.BatchSize, options.Seed);
        var evalSet = test?.Take(Math.Min(options.EvaluationSize, test.Count));
        try
        {
            model.Training = true;
            for (int step = 1; step <= options.Steps; step++)
            {
                var (batchX, batchY) = batches.Next();
                var output = model.ForwardBuffered(batchX);
                double l = double.CreateChecked(loss.Forward(output, batchY));
                history.Steps.Add(step);
                history.Loss.Add(l);
                history.BatchAccuracy.Add(Accuracy(output, batchY));
                if (!double.IsFinite(l))
                {
                    history.Diverged = true;
                    progress?.Invoke($"step {step}: loss is {l} — diverged, stopping.");
                    break;
                }

                model.BackwardBuffered(loss.BackwardBuffered(), needInputGradient: false);
                optimizerStep();
                if (evalSet is not null && (step % options.EvaluateEvery == 0 || step == options.Steps))
                {
                    Evaluate(model, loss, evalSet, options, history, step);
                }

                if (progress is not null && options.Steps >= 10 && step % (options.Steps / 10) == 0)
                {
                    progress($"step {step}/{options.Steps}: loss {history.Loss.TakeLast(options.Steps / 10).Average():G4}" +
                        (history.TestAccuracy.Count > 0 ? $", test accuracy {history.TestAccuracy[^1]:P1}" : ""));
                }
            }
        }
        finally
        {
            model.Training = true;
        }

        history.Seconds = clock.Elapsed.TotalSeconds;
        return history;
    }

    /// <summary>Fraction of rows classified right: argmax for several outputs, p &gt; 0.5 for one.</summary>
    public static double Accuracy<T>(Matrix<T> output, Matrix<T> target) where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        int right = 0;
        T half = T.CreateChecked(0.5);
        for (int i = 0; i < output.Rows; i++)
        {
            int predicted = output.Cols == 1
                ? (output[i, 0] > half ? 1 : 0)
                : Elementwise.IndexOfMax<T>(output.Row(i));
            right += predicted == int.CreateTruncating(target[i, 0]) ? 1 : 0;
        }

        return output.Rows == 0 ? 0 : (double)right / output.Rows;
    }

    /// <summary>The p-th percentile (0…100) of <paramref name="values"/>, linear interpolation between order statistics (NumPy's default).</summary>
    public static double Percentile(double[] values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0 || p < 0 || p > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Need at least one value and p in [0, 100].");
        }

        double[] sorted = [.. values.Order()];
        double rank = p / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((rank - lo) * (sorted[hi] - sorted[lo]));
    }

    /// <summary>Throws naming the option unless every option is usable, so a bad value fails before the first step, not mid-run.</summary>
    private static void Validate<T>(TrainingOptions options, Dataset<T> train, Dataset<T>? test)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Steps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Steps, $"TrainingOptions.Steps must be > 0 but is {options.Steps}.");
        }

        if (options.BatchSize <= 0 || options.BatchSize > train.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"TrainingOptions.BatchSize must be in 1…{train.Count} (the training set's size) but is {options.BatchSize}.");
        }

        if (options.EvaluateEvery <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.EvaluateEvery, $"TrainingOptions.EvaluateEvery must be > 0 but is {options.EvaluateEvery}.");
        }

        if (options.EvaluationSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.EvaluationSize, $"TrainingOptions.EvaluationSize must be > 0 but is {options.EvaluationSize}.");
        }

        if (options.ProbeUnit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ProbeUnit, $"TrainingOptions.ProbeUnit must be >= 0 but is {options.ProbeUnit}.");
        }

        if (options.Percentiles is { } levels)
        {
            for (int q = 0; q < levels.Count; q++)
            {
                if (!(levels[q] is >= 0 and <= 100))
                {
                    throw new ArgumentOutOfRangeException(nameof(options), levels[q], $"TrainingOptions.Percentiles[{q}] is {levels[q]}; percentiles must be in [0, 100].");
                }
            }
        }

        if (test is not null && test.Count == 0)
        {
            throw new ArgumentException("The test set is empty; pass null for no evaluations.", nameof(test));
        }
    }

    private static void Evaluate<T>(Sequential<T> model, ILoss<T> loss, Dataset<T> evalSet, TrainingOptions options, TrainingHistory history, int step)
        where T : IFloatingPointIeee754<T>
    {
        model.Training = false;
        try
        {
            var x = evalSet.X;
            for (int k = 0; k < model.Layers.Count; k++)
            {
                x = model.Layers[k].ForwardBuffered(x);
                int unit = Math.Min(options.ProbeUnit, x.Cols - 1);
                double[] column = [.. x.Column(unit).Select(double.CreateChecked)];
                history.Percentiles[k].Add([.. history.PercentileLevels.Select(p => Percentile(column, p))]);
            }

            history.EvaluationSteps.Add(step);
            history.TestAccuracy.Add(Accuracy(x, evalSet.Y));
            history.TestLoss.Add(double.CreateChecked(loss.Forward(x, evalSet.Y)));
        }
        finally
        {
            model.Training = true;
        }
    }
}
