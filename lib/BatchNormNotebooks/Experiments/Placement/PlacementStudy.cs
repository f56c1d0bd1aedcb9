using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>
/// The controlled placement experiment of notebooks/03-batchnorm-algorithm §5: networks that differ only in where
/// the batch norm sits (or in whether the inputs are standardized), trained from the same initial weights on the same
/// mini-batches for every seed.
/// </summary>
/// <remarks>
/// Same weights by construction: the k-th Linear of a network (k = 0, 1, …) draws from its own stream
/// <c>SeededRandom(<see cref="LayerSeed"/>(seed, k))</c>, weights first and bias after, so its weights do not depend
/// on whether it has a bias or on what the layers before it drew. For one seed every placement therefore starts with
/// identical Linear weights; the biases that exist are identical too (BN before g has none: β takes their role).
/// With one shared stream, as <c>new Linear(…, rng, bias: false)</c> would use, dropping a bias shifts every later draw.
/// </remarks>
public static class PlacementStudy
{
    /// <summary>The seed of the stream that the <paramref name="layer"/>-th Linear draws from: seed·1000 + layer.</summary>
    public static ulong LayerSeed(ulong seed, int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, 1000);
        return checked((seed * 1000) + (ulong)layer);
    }

    /// <summary>
    /// inputs → [Linear(hidden) → (BN) → sigmoid → (BN)] × hiddenLayers → Linear(1) → sigmoid, the batch norms as
    /// <paramref name="placement"/> says; Linear weights from <see cref="LayerSeed"/> streams (same for every placement).
    /// </summary>
    public static Sequential<double> Network(BatchNormPlacement placement, int inputs, ulong seed, int hidden = 8, int hiddenLayers = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        ArgumentOutOfRangeException.ThrowIfNegative(hiddenLayers);
        var layers = new List<ILayer<double>>();
        for (int k = 0; k < hiddenLayers; k++)
        {
            var rng = new SeededRandom(LayerSeed(seed, k));
            int fanIn = k == 0 ? inputs : hidden;
            string name = $"l{k + 1}";
            layers.AddRange(placement switch
            {
                BatchNormPlacement.BeforeActivation =>
                    [new Linear<double>(fanIn, hidden, rng, bias: false, name: name), new BatchNorm1d<double>(hidden, name: name + ".bn"), new Sigmoid<double>()],
                BatchNormPlacement.AfterActivation =>
                    [new Linear<double>(fanIn, hidden, rng, name: name), new Sigmoid<double>(), new BatchNorm1d<double>(hidden, name: name + ".bn")],
                BatchNormPlacement.None => [new Linear<double>(fanIn, hidden, rng, name: name), new Sigmoid<double>()],
                _ => throw new ArgumentOutOfRangeException(nameof(placement), placement, "Unknown placement."),
            });
        }

        int last = hiddenLayers == 0 ? inputs : hidden;
        layers.Add(new Linear<double>(last, 1, new SeededRandom(LayerSeed(seed, hiddenLayers)), name: "out"));
        layers.Add(new Sigmoid<double>());
        return new Sequential<double>([.. layers]);
    }

    /// <summary>Trains one arm from one seed: <see cref="Network"/> from that seed, SGD(η, μ), binary cross-entropy,
    /// mini-batches shuffled with the same seed; evaluates on <paramref name="test"/> once, at the end.</summary>
    public static TrainingHistory Train(StudyArm arm, Dataset<double> train, Dataset<double> test, ulong seed, StudyOptions options) =>
        TrainNetwork(arm, train, test, seed, options).History;

    /// <summary>As <see cref="Train"/>, and also returns the trained network (left in training mode), so a notebook can
    /// probe it afterwards, e.g. evaluate it with batch statistics instead of the running ones.</summary>
    public static (Sequential<double> Network, TrainingHistory History) TrainNetwork(StudyArm arm, Dataset<double> train, Dataset<double> test, ulong seed, StudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(arm);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var (tr, te) = arm.StandardizeInputs ? (train.Standardized(), test.Standardized(train)) : (train, test);
        var net = Network(arm.Placement, train.X.Cols, seed, options.Hidden, options.HiddenLayers);
        var sgd = new Sgd<double>(net.Parameters, options.LearningRate, options.Momentum);
        var history = Trainer.Train(net, new BinaryCrossEntropy<double>(), sgd.Step, tr, te,
            new TrainingOptions(options.Steps, options.BatchSize, Seed: seed, EvaluateEvery: options.Steps));
        return (net, history);
    }

    /// <summary>
    /// How far, in eval mode, each batch norm's input sits from where its running mean says, over a whole data set:
    /// for every BatchNorm1d of <paramref name="network"/> (in order), the root mean square over its units j of
    /// (mean over the rows of its eval-mode input x_j − running mean_j) / √(running var_j + ε). Near 0 when the running
    /// statistics describe what the trained network feeds the layer; 1 means the inputs sit a whole running standard
    /// deviation off on average. The network is run in eval mode and left in the mode it was in.
    /// </summary>
    public static double[] EvalOffsets(Sequential<double> network, Dataset<double> data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        bool training = network.Training;
        network.Training = false;
        try
        {
            var outputs = network.ForwardAll(data.X);
            var offsets = new List<double>();
            for (int l = 0; l < network.Layers.Count; l++)
            {
                if (network.Layers[l] is BatchNorm1d<double> bn)
                {
                    var input = l == 0 ? data.X : outputs[l - 1];
                    offsets.Add(Math.Sqrt(Enumerable.Range(0, bn.Features).Average(j =>
                    {
                        double off = (input.Column(j).Average() - bn.Running.Mean[j]) / Math.Sqrt(bn.Running.Variance[j] + bn.Convention.Epsilon);
                        return off * off;
                    })));
                }
            }

            return [.. offsets];
        }
        finally
        {
            network.Training = training;
        }
    }

    /// <summary>Trains one arm from each of <paramref name="seeds"/> (see <see cref="Train"/>), the seeds in parallel on
    /// the machine's cores; the runs share nothing, so the histories (in the order of the seeds) are the same as one by
    /// one.</summary>
    public static List<TrainingHistory> Run(StudyArm arm, Dataset<double> train, Dataset<double> test, IEnumerable<ulong> seeds, StudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        return [.. seeds.AsParallel().AsOrdered().Select(s => Train(arm, train, test, s, options))];
    }

    /// <summary>
    /// The training loss over seeds, step by step: each run's loss is first averaged over the last
    /// <paramref name="window"/> steps (fewer at the start), then Mean[k] and Std[k] (sample std, n − 1) are taken over
    /// the runs. Step[k] = k + 1. All runs must have the same length.
    /// </summary>
    public static (double[] Step, double[] Mean, double[] Std) LossOverSeeds(IReadOnlyList<TrainingHistory> runs, int window = 20)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        if (runs.Count == 0 || runs.Any(r => r.Loss.Count != runs[0].Loss.Count))
        {
            throw new ArgumentException("Need at least one run, all with the same number of steps.", nameof(runs));
        }

        int n = runs[0].Loss.Count;
        double[][] smooth = [.. runs.Select(r => RollingMean.Of(r.Loss, window))];
        double[] step = [.. Enumerable.Range(1, n).Select(k => (double)k)];
        var spreads = Enumerable.Range(0, n).Select(k => Spread.Of(smooth.Select(s => s[k]))).ToArray();
        return (step, [.. spreads.Select(s => s.Mean)], [.. spreads.Select(s => s.Std)]);
    }
}
