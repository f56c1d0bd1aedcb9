using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>Which normalization the batch-size study puts after each hidden Linear.</summary>
public enum Normalization
{
    /// <summary><see cref="BatchNorm1d{T}"/>: statistics over the batch (running statistics in eval mode).</summary>
    BatchNorm,

    /// <summary><see cref="LayerNorm{T}"/>: statistics over each example's own features; no batch dependence.</summary>
    LayerNorm,
}

/// <summary>
/// Batch norm vs layer norm against the batch size, for notebooks/05-moving-averages-inference ("Self-study: batch
/// norm vs layer norm at small batches"). One run: a 2 → 32 → 32 → 2 ReLU MLP with the normalization after each
/// hidden Linear, trained on two moons (512 points, noise 0.2, data seed 1) with SGD (η = 0.05 unless given, momentum
/// 0.9) for a fixed number of steps of mini-batches of m, then scored in eval mode on 1,000 fresh points (data seed 2).
/// </summary>
public static class NormalizationBatchSizeStudy
{
    private static readonly Lazy<(Dataset<double> Train, Dataset<double> Test)> s_data =
        new(() => (TwoMoons.Generate(512, 1, noise: 0.2), TwoMoons.Generate(1000, 2, noise: 0.2)));

    /// <summary>The network of one run: the same Linear weights for both normalizations at the same seed.</summary>
    public static Sequential<double> Network(Normalization normalization, ulong seed)
    {
        var random = new SeededRandom(seed);
        ILayer<double> Norm() => normalization == Normalization.BatchNorm ? new BatchNorm1d<double>(32) : new LayerNorm<double>(32);
        return new Sequential<double>(
            new Linear<double>(2, 32, random), Norm(), new ReLU<double>(),
            new Linear<double>(32, 32, random), Norm(), new ReLU<double>(),
            new Linear<double>(32, 2, random));
    }

    /// <summary>Trains one network and returns its eval-mode test accuracy (fraction in [0, 1]).</summary>
    /// <param name="normalization">Batch norm or layer norm.</param>
    /// <param name="batchSize">m, at least 2 (batch norm cannot train on one example).</param>
    /// <param name="seed">Weights and mini-batch order.</param>
    /// <param name="steps">SGD steps (the same for every m, so small batches see fewer examples).</param>
    /// <param name="learningRate">SGD's η (the notebook tunes it per normalization on a grid).</param>
    public static double TestAccuracy(Normalization normalization, int batchSize, ulong seed, int steps = 400, double learningRate = 0.05)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "η must be a positive finite number.");
        }

        var (train, test) = s_data.Value;
        var net = Network(normalization, seed);
        var sgd = new Sgd<double>(net.Parameters, learningRate, momentum: 0.9);
        var history = Trainer.Train(net, new SoftmaxCrossEntropy<double>(), sgd.Step, train, test,
            new TrainingOptions(steps, batchSize, Seed: seed, EvaluateEvery: steps, EvaluationSize: test.Count));
        return history.TestAccuracy[^1];
    }
}
