using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>
/// The paper's §4.1 experiment behind Figure 1 (Ioffe &amp; Szegedy 2015): a 784 → 100 → 100 → 100 → 10 MLP with
/// sigmoid hidden units, y = g(Wu + b), weights from N(0, σ²), biases 0, softmax cross-entropy, mini-batches of 60,
/// plain SGD; and the same network with <see cref="BatchNorm1d{T}"/> before each sigmoid (z = g(BN(Wu)), no bias:
/// β takes its role, paper §3.2). Both networks start from the same weights and see the same mini-batches.
/// </summary>
/// <remarks>
/// <para>Recorded at each step of <see cref="Figure1Options.RecordSteps"/>: the test accuracy over the test digits
/// in eval mode (BN uses its running statistics), and the 15th/50th/85th percentiles over the same digits of the
/// input to one fixed sigmoid (<see cref="Figure1Options.ProbeUnit"/>) of the last hidden layer: fc3's output
/// without BN, bn3's output with BN.</para>
/// <para>Learning-rate protocol (<see cref="ChooseLearningRate"/>): for each network separately, train
/// <see cref="Figure1Options.TuningSteps"/> steps at every rate of <see cref="Figure1Options.LearningRateGrid"/> on the
/// training digits minus the last <see cref="Figure1Options.TuningHeldOut"/>, score each by accuracy on those held-out
/// digits, pick the best. The test digits are never used to choose.</para>
/// <para>Deterministic: everything runs in float32 on one thread per network, seeded by
/// <see cref="Figure1Options.Seed"/>, so the same seed and options give the same numbers bit for bit on the same
/// machine and library version; a run of K steps reproduces the first records of a longer run exactly.</para>
/// Taught in notebooks/02-internal-covariate-shift; the full run is computed by
/// <c>dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release</c> into <c>notebooks/data/figure1-full.json</c>.
/// </remarks>
public static class Figure1Experiment
{
    /// <summary>The command that recomputes <c>notebooks/data/figure1-full.json</c>.</summary>
    public const string FullCommand = "dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release";

    /// <summary>Rows per evaluation chunk (keeps evaluation single-threaded, cache-sized and deterministic).</summary>
    internal const int EvaluationChunk = 1000;

    /// <summary>The learning-rate protocol, in words, for <paramref name="options"/>.</summary>
    public static string Protocol(Figure1Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"Learning rate: for each network separately, {options.TuningSteps:N0} steps of plain SGD at each of {{{string.Join(", ", options.LearningRateGrid)}}} on the first {MnistFull.TrainCount - options.TuningHeldOut:N0} training digits (same seed, same batches), scored by accuracy on the last {options.TuningHeldOut:N0} training digits (held out); the best rate is used for the {options.Steps:N0}-step run on all training digits.");
    }

    /// <summary>Builds the §4.1 network: HiddenLayers × (Linear → [BatchNorm1d] → Sigmoid), then Linear(→10).
    /// Weights ~ N(0, InitStd²) from <see cref="Figure1Options.Seed"/>, biases 0; with BN the hidden Linears have no
    /// bias. Both variants draw the same weights. Layer names: fc1…fc3, bn1…bn3, out.</summary>
    public static Sequential<float> BuildNetwork(bool batchNorm, Figure1Options options, int inputs = 784, int classes = 10)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rng = new SeededRandom(options.Seed);
        var layers = new List<ILayer<float>>();
        for (int k = 0; k < options.HiddenLayers; k++)
        {
            layers.Add(Initialization.NormalLinear<float>(inputs, options.HiddenUnits, rng, options.InitStd, bias: !batchNorm, $"fc{k + 1}"));
            if (batchNorm)
            {
                layers.Add(new BatchNorm1d<float>(options.HiddenUnits, name: $"bn{k + 1}"));
            }

            layers.Add(new Sigmoid<float>());
            inputs = options.HiddenUnits;
        }

        layers.Add(Initialization.NormalLinear<float>(inputs, classes, rng, options.InitStd, bias: true, "out"));
        return new Sequential<float>([.. layers]);
    }

    /// <summary>Index in <see cref="Sequential{T}.Layers"/> of the layer whose output is the input of the last
    /// hidden layer's sigmoids (fc3 without BN, bn3 with BN): the third layer from the end.</summary>
    public static int ProbeLayer(Sequential<float> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Layers.Count - 3;
    }

    /// <summary>
    /// Trains one network for <see cref="Figure1Options.Steps"/> steps of SGD at <paramref name="learningRate"/>
    /// on <paramref name="train"/> and records its curves on <paramref name="test"/> (the first
    /// <see cref="Figure1Options.TestCount"/> digits, default all).
    /// </summary>
    /// <param name="batchNorm">With BatchNorm1d before each sigmoid.</param>
    /// <param name="learningRate">The SGD step size γ &gt; 0.</param>
    /// <param name="train">Training digits, X (n, 784) in [0, 1], Y (n, 1) the digit.</param>
    /// <param name="test">Test digits, same layout.</param>
    /// <param name="options">Steps, seed, record schedule.</param>
    /// <param name="progress">Told at every record (from the training thread).</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    public static Figure1Curve Train(bool batchNorm, double learningRate, Dataset<float> train, Dataset<float> test, Figure1Options options,
        IProgress<Figure1Progress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        if (train.X.Cols != test.X.Cols)
        {
            throw new ArgumentException($"Train has {train.X.Cols} features but test has {test.X.Cols}.", nameof(test));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, train.Count);
        string network = batchNorm ? "with BN" : "without BN";
        var clock = Stopwatch.StartNew();
        var net = BuildNetwork(batchNorm, options, train.X.Cols);
        var sgd = new Sgd<float>(net.Parameters, learningRate);
        var loss = new SoftmaxCrossEntropy<float>();
        var evaluator = new Evaluator(test, options.TestCount ?? test.Count, ProbeLayer(net), options.ProbeUnit);
        var batches = new MiniBatchSampler<float>(train, options.BatchSize, options.Seed + 1);

        IReadOnlyList<int> recordSteps = options.RecordSteps();
        var steps = new List<int>();
        var accuracy = new List<double>();
        var testLoss = new List<double>();
        var trainLoss = new List<double>();
        var p15 = new List<double>();
        var p50 = new List<double>();
        var p85 = new List<double>();
        double lossSum = 0;
        int lossCount = 0, next = 0;
        bool diverged = false;
        for (int step = 0; step <= options.Steps; step++)
        {
            if (step > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                var (x, y) = batches.Next();
                double l = loss.Forward(net.ForwardBuffered(x), y);   // the layers' own buffers: no allocation per step
                if (!double.IsFinite(l))
                {
                    diverged = true;
                    trainLoss.Add(l);
                    Record(evaluator.Evaluate(net, loss), step);
                    break;
                }

                if (step == 1 && trainLoss.Count == 1)
                {
                    trainLoss[0] = l; // the step-0 record: the first mini-batch's loss before any update
                }

                lossSum += l;
                lossCount++;
                net.BackwardBuffered(loss.BackwardBuffered(), needInputGradient: false);   // nobody needs ∂loss/∂pixels
                sgd.Step();
            }

            if (next < recordSteps.Count && recordSteps[next] == step)
            {
                next++;
                trainLoss.Add(step == 0 ? double.NaN : lossSum / lossCount);
                lossSum = 0;
                lossCount = 0;
                Record(evaluator.Evaluate(net, loss), step);
            }
        }

        return new Figure1Curve(network, batchNorm, learningRate, [.. steps], [.. accuracy], [.. testLoss], [.. trainLoss],
            [.. p15], [.. p50], [.. p85], clock.Elapsed.TotalSeconds, diverged);

        void Record(Evaluation e, int step)
        {
            steps.Add(step);
            accuracy.Add(e.Accuracy);
            testLoss.Add(e.Loss);
            p15.Add(e.P15);
            p50.Add(e.P50);
            p85.Add(e.P85);
            progress?.Report(new Figure1Progress(network, step, options.Steps, e.Accuracy, clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>
    /// Runs the learning-rate protocol for one network (see <see cref="Protocol"/>): a trial per rate of the grid,
    /// in parallel on up to <paramref name="maxParallel"/> cores (default all); the result does not depend on it.
    /// </summary>
    public static Figure1LearningRateChoice ChooseLearningRate(bool batchNorm, Dataset<float> train, Figure1Options options,
        IProgress<Figure1Progress>? progress = null, int? maxParallel = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        if (options.LearningRateGrid.Count == 0)
        {
            throw new ArgumentException("The learning-rate grid is empty.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.TuningHeldOut, train.Count);
        int fit = train.Count - options.TuningHeldOut;
        var fitSet = train.Take(fit);
        var heldOut = train with { X = train.X.SliceRows(fit, options.TuningHeldOut), Y = train.Y.SliceRows(fit, options.TuningHeldOut) };
        var trialOptions = options with { Steps = options.TuningSteps, RecordEvery = options.TuningSteps, EarlyRecordUntil = 0, TestCount = null };
        var trials = new Figure1Trial[options.LearningRateGrid.Count];
        Parallel.For(0, trials.Length, new ParallelOptions { MaxDegreeOfParallelism = maxParallel ?? Environment.ProcessorCount, CancellationToken = cancellation }, i =>
        {
            using var callerOnly = ProductThreads.CallerOnly();   // the trials already share the cores
            double lr = options.LearningRateGrid[i];
            var curve = Train(batchNorm, lr, fitSet, heldOut, trialOptions, progress is null ? null : new Relabel(progress, lr), cancellation);
            trials[i] = new Figure1Trial(lr, curve.Diverged ? 0 : curve.FinalAccuracy, curve.Diverged);
        });

        var best = trials.Where(t => !t.Diverged).OrderByDescending(t => t.HeldOutAccuracy).ThenBy(t => t.LearningRate).FirstOrDefault()
            ?? throw new InvalidOperationException($"Every learning rate of the grid diverged for the network {(batchNorm ? "with" : "without")} BN.");
        return new Figure1LearningRateChoice(batchNorm ? "with BN" : "without BN", best.LearningRate, trials);
    }

    /// <summary>
    /// The whole experiment: chooses each network's learning rate by the protocol (unless
    /// <paramref name="learningRates"/> gives them: without BN, with BN), then trains both networks, one per core
    /// in parallel, and returns the curves with their provenance.
    /// </summary>
    /// <param name="train">Training digits (the full run: <see cref="MnistFull.Load"/>'s 60,000).</param>
    /// <param name="test">Test digits (the full run: the 10,000).</param>
    /// <param name="options">Settings; <c>new Figure1Options()</c> is the full-scale run.</param>
    /// <param name="learningRates">Skip the protocol and use these rates (without BN, with BN).</param>
    /// <param name="command">Recorded in the provenance as the command that computed the result.</param>
    /// <param name="progress">Told at every record of every run, from the training threads.</param>
    /// <param name="cancellation">Stops all runs between steps.</param>
    public static Figure1Result Run(Dataset<float> train, Dataset<float> test, Figure1Options options, (double WithoutBatchNorm, double WithBatchNorm)? learningRates = null,
        string command = FullCommand, IProgress<Figure1Progress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        Figure1LearningRateChoice[]? choices = null;
        if (learningRates is null)
        {
            // all trials of both networks share the cores
            choices = new Figure1LearningRateChoice[2];
            Parallel.For(0, 2, new ParallelOptions { CancellationToken = cancellation }, k =>
            {
                using var callerOnly = ProductThreads.CallerOnly();
                choices[k] = ChooseLearningRate(k == 1, train, options, progress, Math.Max(1, Environment.ProcessorCount / 2), cancellation);
            });
            learningRates = (choices[0].Chosen, choices[1].Chosen);
        }

        var curves = new Figure1Curve[2];
        Parallel.For(0, 2, new ParallelOptions { CancellationToken = cancellation }, k =>
        {
            using var callerOnly = ProductThreads.CallerOnly();   // one network per core: its products stay on its thread
            curves[k] = Train(k == 1, k == 1 ? learningRates.Value.WithBatchNorm : learningRates.Value.WithoutBatchNorm, train, test, options, progress, cancellation);
        });

        var provenance = new Figure1Provenance(command, DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            Math.Round(clock.Elapsed.TotalSeconds, 1), MachineDescription(), Environment.ProcessorCount, RuntimeInformation.FrameworkDescription,
            train.Count, Math.Min(options.TestCount ?? test.Count, test.Count));
        return new Figure1Result(options, choices is null ? "Learning rates given." : Protocol(options), choices, curves[0], curves[1], provenance);
    }

    /// <summary>
    /// The short live version for a notebook cell: both networks, in parallel, the first <paramref name="steps"/> steps
    /// of the full run <paramref name="full"/> — its options, seed, batches and learning rates. With
    /// <paramref name="testCount"/> null (all test digits) every record equals the full run's at the same step, bit
    /// for bit (on the machine and library version that computed it); a smaller <paramref name="testCount"/> is
    /// cheaper but evaluates on fewer digits.
    /// </summary>
    /// <param name="train">The training digits (<see cref="MnistFull.Load"/>).</param>
    /// <param name="test">The test digits.</param>
    /// <param name="full">The stored full run, e.g. <c>NotebookData.LoadFigure1Full()</c>.</param>
    /// <param name="steps">Steps per network.</param>
    /// <param name="testCount">Test digits per evaluation (null: as the full run, all 10,000).</param>
    /// <param name="progress">Told at every record, from the training threads.</param>
    /// <param name="earlyRecordEvery">Record every this many steps up to the full run's early-record limit (null: as
    /// the full run). Evaluating all 10,000 test digits costs more than 100 training steps, so a live cell records
    /// less often; at steps the full run also recorded, the numbers are the same (evaluation changes no state).</param>
    public static Figure1Result RunLive(Dataset<float> train, Dataset<float> test, Figure1Result full, int steps = 2_000, int? testCount = null,
        IProgress<Figure1Progress>? progress = null, int? earlyRecordEvery = null)
    {
        ArgumentNullException.ThrowIfNull(full);
        var options = full.Options with
        {
            Steps = steps,
            TestCount = testCount ?? full.Options.TestCount,
            EarlyRecordEvery = earlyRecordEvery ?? full.Options.EarlyRecordEvery,
        };
        return Run(train, test, options, (full.WithoutBatchNorm.LearningRate, full.WithBatchNorm.LearningRate), "Figure1Experiment.RunLive", progress);
    }

    private static string MachineDescription()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (model is not null)
                {
                    cpu = model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return $"{cpu}, {RuntimeInformation.OSDescription}";
    }

    private readonly record struct Evaluation(double Accuracy, double Loss, double P15, double P50, double P85);

    /// <summary>Evaluates a network on fixed test chunks in eval mode: accuracy, loss, probe percentiles.</summary>
    private sealed class Evaluator
    {
        private readonly (Matrix<float> X, Matrix<float> Y)[] _chunks;
        private readonly int _count, _probeLayer, _probeUnit;
        private readonly double[] _probe;

        public Evaluator(Dataset<float> test, int count, int probeLayer, int probeUnit)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
            count = Math.Min(count, test.Count);
            _count = count;
            _probeLayer = probeLayer;
            _probeUnit = probeUnit;
            _probe = new double[count];
            _chunks = [.. Enumerable.Range(0, (count + EvaluationChunk - 1) / EvaluationChunk).Select(c =>
            {
                int start = c * EvaluationChunk, rows = Math.Min(EvaluationChunk, count - start);
                return (test.X.SliceRows(start, rows), test.Y.SliceRows(start, rows));
            })];
        }

        public Evaluation Evaluate(Sequential<float> net, SoftmaxCrossEntropy<float> loss)
        {
            net.Training = false;
            double right = 0, lossSum = 0;
            int offset = 0;
            foreach (var (x, y) in _chunks)
            {
                var outputs = net.ForwardAll(x);
                right += Trainer.Accuracy(outputs[^1], y) * x.Rows;
                lossSum += loss.Forward(outputs[^1], y) * x.Rows;
                var probe = outputs[_probeLayer];
                if (_probeUnit < 0 || _probeUnit >= probe.Cols)
                {
                    throw new ArgumentOutOfRangeException(nameof(Figure1Options.ProbeUnit), _probeUnit, $"The probed layer has {probe.Cols} units.");
                }

                for (int i = 0; i < x.Rows; i++)
                {
                    _probe[offset + i] = probe[i, _probeUnit];
                }

                offset += x.Rows;
            }

            net.Training = true;
            return new Evaluation(Math.Round(right) / _count, lossSum / _count,
                Trainer.Percentile(_probe, 15), Trainer.Percentile(_probe, 50), Trainer.Percentile(_probe, 85));
        }
    }

    /// <summary>Adds the learning rate to the network name of a tuning trial's progress.</summary>
    private sealed class Relabel(IProgress<Figure1Progress> inner, double learningRate) : IProgress<Figure1Progress>
    {
        public void Report(Figure1Progress value) =>
            inner.Report(value with { Network = string.Create(CultureInfo.InvariantCulture, $"{value.Network} (tuning, lr {learningRate})") });
    }
}
