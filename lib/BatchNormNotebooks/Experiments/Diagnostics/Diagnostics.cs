using System.Numerics.Tensors;
using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>
/// Training diagnostics that show what batch norm does (Karpathy's makemore part 3, cs231n assignment 2): per-layer
/// activation and gradient histograms, the fraction of saturated tanh units, the update-to-data ratio, and a sweep
/// over the weight-initialization scale. Taught in notebooks/08-what-batchnorm-does.
/// </summary>
public static class Diagnostics
{
    /// <summary>
    /// Karpathy's deep tanh MLP: <paramref name="setup"/>.Depth hidden layers Linear → [BatchNorm1d] → Tanh of
    /// Hidden units each, then a Linear to <paramref name="classes"/> logits. Every Linear weight is drawn from
    /// N(0, (gain/√fan_in)²) and every bias is 0 (the Linears before a batch norm have none: β takes its role).
    /// gain = 1 keeps the variance of a linear layer's output equal to that of its input; 5/3 is PyTorch's
    /// recommended gain for tanh.
    /// </summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="classes">Output logits (≥ 2, for softmax cross-entropy).</param>
    /// <param name="setup">Width and depth.</param>
    /// <param name="gain">Init gain g &gt; 0 of every Linear, the output layer included.</param>
    /// <param name="batchNorm">Insert BatchNorm1d (PyTorch convention) after each hidden Linear.</param>
    /// <param name="seed">Seed of the weights: the same seed gives the same weights with and without batch norm.</param>
    public static Sequential<double> TanhMlp(int inputs, int classes, DiagnosticSetup setup, double gain, bool batchNorm, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(setup.Hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(setup.Depth);
        if (!(gain > 0) || !double.IsFinite(gain))
        {
            throw new ArgumentOutOfRangeException(nameof(gain), gain, "The init gain must be a positive finite number.");
        }

        var random = new SeededRandom(seed);
        var layers = new List<ILayer<double>>();
        int fanIn = inputs;
        for (int k = 1; k <= setup.Depth; k++)
        {
            layers.Add(Initialization.NormalLinear<double>(fanIn, setup.Hidden, random, gain / Math.Sqrt(fanIn), bias: !batchNorm, $"linear{k}"));
            if (batchNorm)
            {
                layers.Add(new BatchNorm1d<double>(setup.Hidden, name: $"bn{k}"));
            }

            layers.Add(new Tanh<double>());
            fanIn = setup.Hidden;
        }

        layers.Add(Initialization.NormalLinear<double>(fanIn, classes, random, gain / Math.Sqrt(fanIn), bias: true, "output"));
        return new Sequential<double>([.. layers]);
    }

    /// <summary>Fraction of values with |a| &gt; <paramref name="threshold"/>, e.g. saturated tanh units.</summary>
    /// <param name="activations">The values (any shape, flattened).</param>
    /// <param name="threshold">Saturation threshold in (0, 1) for tanh (0.97 in notebook 08).</param>
    public static double SaturatedFraction(ReadOnlySpan<double> activations, double threshold)
    {
        if (activations.IsEmpty)
        {
            throw new ArgumentException("Need at least one activation.", nameof(activations));
        }

        if (!(threshold >= 0) || !double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a finite number ≥ 0.");
        }

        int count = 0;
        foreach (double a in activations)
        {
            count += Math.Abs(a) > threshold ? 1 : 0;
        }

        return (double)count / activations.Length;
    }

    /// <summary>
    /// Karpathy's update-to-data ratio of one parameter: log10(std(η·grad) / std(value)), both standard deviations
    /// over all entries (the n − 1 or n convention cancels in the ratio). About −3 is the rule of thumb for a healthy
    /// learning rate: one SGD step moves a weight by about a thousandth of the weights' spread.
    /// </summary>
    /// <param name="grad">∂L/∂θ.</param>
    /// <param name="value">θ before the update, same length (at least 2 entries, not all equal).</param>
    /// <param name="learningRate">η &gt; 0.</param>
    public static double UpdateToDataRatio(ReadOnlySpan<double> grad, ReadOnlySpan<double> value, double learningRate)
    {
        if (grad.Length != value.Length)
        {
            throw new ArgumentException($"grad has {grad.Length} entries but value has {value.Length}.", nameof(grad));
        }

        if (value.Length < 2)
        {
            throw new ArgumentException("A standard deviation needs at least 2 entries.", nameof(value));
        }

        if (!(learningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "η must be positive.");
        }

        double dataStd = Std(value);
        if (dataStd == 0)
        {
            throw new ArgumentException("All values are equal: the ratio to their spread is undefined.", nameof(value));
        }

        return Math.Log10(learningRate * Std(grad) / dataStd);
    }

    /// <summary>
    /// Trains <paramref name="model"/> (built by <see cref="TanhMlp"/>) with plain SGD and softmax cross-entropy,
    /// recording at every step the loss, each hidden layer's saturated fraction and its weight's update-to-data
    /// ratio, and at the <paramref name="snapshotSteps"/> each tanh layer's activations and incoming gradients.
    /// Runs the layers one by one itself (no hooks into the layers): the gradient a tanh layer receives is what
    /// the layer after it returns from Backward.
    /// </summary>
    /// <param name="model">The network, left in training mode; its hidden layers end with <see cref="Tanh{T}"/>.</param>
    /// <param name="train">Training data; Y holds class indices.</param>
    /// <param name="test">Evaluation data for <see cref="DiagnosticRun.TestAccuracy"/> (null: none).</param>
    /// <param name="setup">Steps, batch size, η, saturation threshold.</param>
    /// <param name="seed">Seed of the shuffling.</param>
    /// <param name="snapshotSteps">Steps t (0 = at initialization) whose activations and gradients are kept.</param>
    public static DiagnosticRun Train(Sequential<double> model, Dataset<double> train, Dataset<double>? test, DiagnosticSetup setup, ulong seed,
        IReadOnlyCollection<int>? snapshotSteps = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(setup.Steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(setup.BatchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(setup.BatchSize, train.Count);
        var layers = model.Layers;
        int[] tanhAt = [.. Enumerable.Range(0, layers.Count).Where(k => layers[k] is Tanh<double>)];
        Linear<double>[] hiddenLinears = [.. layers.Take(layers.Count - 1).OfType<Linear<double>>()];
        if (tanhAt.Length == 0)
        {
            throw new ArgumentException("The model has no Tanh layer to diagnose; build it with Diagnostics.TanhMlp.", nameof(model));
        }

        var run = new DiagnosticRun();
        foreach (var _ in tanhAt)
        {
            run.Saturation.Add([]);
        }

        foreach (var _ in hiddenLinears)
        {
            run.UpdateRatio.Add([]);
            run.WeightStd.Add([]);
            run.GradStd.Add([]);
            run.WeightNorm.Add([]);
        }

        var loss = new SoftmaxCrossEntropy<double>();
        var sgd = new Sgd<double>(model.Parameters, setup.LearningRate);
        var batches = new MiniBatchSampler<double>(train, setup.BatchSize, seed);
        var outputs = new Matrix<double>[layers.Count];
        var gradients = new Matrix<double>[layers.Count];
        model.Training = true;
        for (int t = 0; t < setup.Steps; t++)
        {
            var batch = train.Subset(batches.NextRows());
            var x = batch.X;
            for (int k = 0; k < layers.Count; k++)
            {
                x = outputs[k] = layers[k].Forward(x);
            }

            double l = loss.Forward(x, batch.Y);
            run.Loss.Add(l);
            if (!double.IsFinite(l))
            {
                run.Diverged = true;
                break;
            }

            var dy = loss.Backward();
            for (int k = layers.Count - 1; k >= 0; k--)
            {
                gradients[k] = dy;                          // ∂L/∂(output of layer k)
                dy = layers[k].Backward(dy);
            }

            for (int j = 0; j < tanhAt.Length; j++)
            {
                run.Saturation[j].Add(SaturatedFraction(outputs[tanhAt[j]].Data, setup.SaturationThreshold));
            }

            for (int j = 0; j < hiddenLinears.Length; j++)
            {
                var weight = hiddenLinears[j].Weight;
                run.UpdateRatio[j].Add(UpdateToDataRatio(weight.Grad, weight.Value, setup.LearningRate));
                run.WeightStd[j].Add(Std(weight.Value));
                run.GradStd[j].Add(Std(weight.Grad));
                run.WeightNorm[j].Add(Math.Sqrt(TensorPrimitives.SumOfSquares<double>(weight.Value)));
            }

            if (snapshotSteps is not null && snapshotSteps.Contains(t))
            {
                run.Snapshots[t] = [.. tanhAt.Select((k, j) => new LayerSnapshot(j + 1, (double[])outputs[k].Data.Clone(), (double[])gradients[k].Data.Clone()))];
            }

            sgd.Step();
        }

        if (test is not null && !run.Diverged)
        {
            model.Training = false;
            var logits = model.Forward(test.X);
            run.TestAccuracy = Trainer.Accuracy(logits, test.Y);
            double testLoss = loss.Forward(logits, test.Y);
            run.TestLoss = double.IsFinite(testLoss) ? testLoss : double.PositiveInfinity;
            model.Training = true;
        }
        else if (test is not null)
        {
            run.TestLoss = double.PositiveInfinity;
        }

        return run;
    }

    /// <summary>
    /// cs231n's weight-initialization experiment: for every gain, with and without batch norm as asked, and every
    /// seed, builds <see cref="TanhMlp"/> and trains it with <see cref="Train"/>; returns one point per run, in the
    /// order batch norm, gain, seed. The runs are independent and go on all cores; each gives the same bits as when run
    /// alone (its own model, sampler and buffers).
    /// </summary>
    /// <param name="train">Training data.</param>
    /// <param name="test">Test data for the final accuracy.</param>
    /// <param name="setup">Network and training settings.</param>
    /// <param name="gains">Init gains, e.g. 10^−2 … 10^2.</param>
    /// <param name="batchNorm">Which variants to run (false = without BN, true = with).</param>
    /// <param name="seeds">Seeds; each seeds both the weights and the shuffling.</param>
    public static IReadOnlyList<SweepPoint> InitScaleSweep(Dataset<double> train, Dataset<double> test, DiagnosticSetup setup,
        IReadOnlyList<double> gains, IReadOnlyList<bool> batchNorm, IReadOnlyList<ulong> seeds)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(gains);
        ArgumentNullException.ThrowIfNull(batchNorm);
        ArgumentNullException.ThrowIfNull(seeds);
        int classes = (int)train.Y.Data.Max() + 1;
        var runs = (from bn in batchNorm from gain in gains from seed in seeds select (bn, gain, seed)).ToArray();
        if (gains.Any(g => !(g > 0) || !double.IsFinite(g)))
        {
            throw new ArgumentOutOfRangeException(nameof(gains), "Every init gain must be a positive finite number.");
        }

        return runs.AsParallel().AsOrdered().Select(r =>
        {
            var model = TanhMlp(train.X.Cols, classes, setup, r.gain, r.bn, r.seed);
            var run = Train(model, train, test, setup, r.seed);
            var norms = run.WeightNorm[(run.WeightNorm.Count - 1) / 2];
            return new SweepPoint(r.gain, r.bn, r.seed, run.FinalLoss(), run.TestAccuracy, run.TestLoss, norms[0], norms[^1]);
        }).ToArray();
    }

    /// <summary>
    /// The init-scale sweep with η tuned per gain: every (batch norm, gain, seed) is trained at every learning rate of
    /// the grid and scored in evaluation mode on a validation set and on the test set. Choose η with
    /// <see cref="BestRates"/> (by validation loss), then report the test numbers at that η. Runs on all cores, in the
    /// order batch norm, gain, learning rate, seed; each run gives the same bits as alone.
    /// </summary>
    /// <param name="train">Training data.</param>
    /// <param name="validation">Data to choose η on (not the test set).</param>
    /// <param name="test">Data to report on.</param>
    /// <param name="setup">Network and training settings (its learning rate is replaced by each of the grid's).</param>
    /// <param name="gains">Init gains.</param>
    /// <param name="batchNorm">Which variants to run.</param>
    /// <param name="seeds">Seeds.</param>
    /// <param name="learningRates">The η grid, each &gt; 0.</param>
    public static IReadOnlyList<TunedSweepPoint> TunedInitScaleSweep(Dataset<double> train, Dataset<double> validation, Dataset<double> test,
        DiagnosticSetup setup, IReadOnlyList<double> gains, IReadOnlyList<bool> batchNorm, IReadOnlyList<ulong> seeds, IReadOnlyList<double> learningRates)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(gains);
        ArgumentNullException.ThrowIfNull(batchNorm);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(learningRates);
        if (gains.Any(g => !(g > 0) || !double.IsFinite(g)) || learningRates.Any(r => !(r > 0) || !double.IsFinite(r)))
        {
            throw new ArgumentOutOfRangeException(nameof(gains), "Every init gain and learning rate must be a positive finite number.");
        }

        int classes = (int)train.Y.Data.Max() + 1;
        var runs = (from bn in batchNorm from gain in gains from eta in learningRates from seed in seeds select (bn, gain, eta, seed)).ToArray();
        return runs.AsParallel().AsOrdered().Select(r =>
        {
            var model = TanhMlp(train.X.Cols, classes, setup, r.gain, r.bn, r.seed);
            var run = Train(model, train, test, setup with { LearningRate = r.eta }, r.seed);
            double validationLoss = double.PositiveInfinity;
            if (!run.Diverged)
            {
                model.Training = false;
                double l = new SoftmaxCrossEntropy<double>().Forward(model.Forward(validation.X), validation.Y);
                validationLoss = double.IsFinite(l) ? l : double.PositiveInfinity;
            }

            return new TunedSweepPoint(r.gain, r.bn, r.seed, r.eta, validationLoss, run.TestLoss, run.TestAccuracy);
        }).ToArray();
    }

    /// <summary>For every (batch norm, gain) of a <see cref="TunedInitScaleSweep"/>, the learning rate with the lowest
    /// mean validation loss over the seeds (the smaller η on a tie).</summary>
    public static IReadOnlyDictionary<(bool BatchNorm, double Gain), double> BestRates(IEnumerable<TunedSweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return points.GroupBy(p => (p.BatchNorm, p.Gain)).ToDictionary(g => g.Key, g => g.GroupBy(p => p.LearningRate)
            .Select(e => (Eta: e.Key, Loss: e.Average(p => p.ValidationLoss))).OrderBy(e => e.Loss).ThenBy(e => e.Eta).First().Eta);
    }

    /// <summary>
    /// P(|tanh(z)| &gt; threshold) for z ~ N(0, 1): the saturated fraction of a tanh layer whose pre-activations are
    /// standard normal, as batch norm with γ = 1, β = 0 makes them. Effectively computes
    /// 1 − 2·∫₀^atanh(threshold) φ(z) dz (composite Simpson rule, 2,000 intervals); 3.64 % for threshold 0.97.
    /// </summary>
    /// <param name="threshold">In [0, 1).</param>
    public static double GaussianSaturation(double threshold)
    {
        if (!(threshold >= 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "A tanh saturation threshold lies in [0, 1).");
        }

        double b = Math.Atanh(threshold);
        const int n = 2000;
        double h = b / n, sum = 0;
        for (int i = 0; i <= n; i++)
        {
            double z = i * h;
            double weight = i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2);
            sum += weight * Math.Exp(-0.5 * z * z);
        }

        double inside = sum * h / 3 / Math.Sqrt(2 * Math.PI);
        return 1 - (2 * inside);
    }

    /// <summary>Standard deviation of the values, dividing by n (NumPy's default; PyTorch's std divides by n − 1).</summary>
    /// <param name="values">At least one value.</param>
    public static double Std(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("Need at least one value.", nameof(values));
        }

        double mean = TensorPrimitives.Sum(values) / values.Length;
        double sum = 0;
        foreach (double v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / values.Length);
    }
}
