using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchNormNotebooks;

/// <summary>One network's Figure 1 curves: at each recorded step, the test accuracy, the test loss, the mean
/// training loss since the previous record, and the 15th/50th/85th percentiles of the input to the probed sigmoid.</summary>
/// <param name="Network">"without BN" or "with BN".</param>
/// <param name="BatchNorm">Whether the network has BatchNorm1d before each sigmoid.</param>
/// <param name="LearningRate">The SGD learning rate used.</param>
/// <param name="Steps">The recorded steps (0 = before training).</param>
/// <param name="TestAccuracy">Fraction of the test digits classified right (eval mode).</param>
/// <param name="TestLoss">Mean softmax cross-entropy over the test digits.</param>
/// <param name="TrainLoss">Mean mini-batch loss over the steps since the previous record (before each update); at
/// step 0 the loss of the first mini-batch before any update.</param>
/// <param name="P15">15th percentile, over the test digits in eval mode, of the input to sigmoid
/// <see cref="Figure1Options.ProbeUnit"/> of the last hidden layer (fc3's output without BN, bn3's with BN).</param>
/// <param name="P50">The median of that input.</param>
/// <param name="P85">The 85th percentile of that input.</param>
/// <param name="Seconds">Wall-clock seconds of the run, evaluations included.</param>
/// <param name="Diverged">True when the training loss became NaN or infinite and the run stopped early.</param>
public sealed record Figure1Curve(string Network, bool BatchNorm, double LearningRate, int[] Steps, double[] TestAccuracy,
    double[] TestLoss, double[] TrainLoss, double[] P15, double[] P50, double[] P85, double Seconds, bool Diverged)
{
    /// <summary>The last recorded test accuracy.</summary>
    public double FinalAccuracy => TestAccuracy[^1];

    /// <summary>The highest recorded test accuracy.</summary>
    public double MaxAccuracy => TestAccuracy.Max();

    /// <summary>The recorded values at steps ≤ <paramref name="steps"/> (to compare with a shorter run).</summary>
    public Figure1Curve Prefix(int steps)
    {
        int n = Steps.Count(s => s <= steps);
        return this with
        {
            Steps = Steps[..n],
            TestAccuracy = TestAccuracy[..n],
            TestLoss = TestLoss[..n],
            TrainLoss = TrainLoss[..n],
            P15 = P15[..n],
            P50 = P50[..n],
            P85 = P85[..n],
        };
    }

    /// <summary>A one-line summary: steps, time, final and best test accuracy, and how the probed sigmoid input's
    /// median and 15–85 % spread moved from the first to the last record (invariant culture).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Network}, lr {LearningRate}: {Steps[^1]} steps in {Seconds:F1} s{(Diverged ? " — DIVERGED" : "")}, test accuracy {FinalAccuracy:P2} (max {MaxAccuracy:P2}); sigmoid input median {P50[0]:F2} → {P50[^1]:F2}, 15–85 % spread {P85[0] - P15[0]:F2} → {P85[^1] - P15[^1]:F2}");
}

/// <summary>One learning-rate trial of the tuning protocol.</summary>
/// <param name="LearningRate">The rate tried.</param>
/// <param name="HeldOutAccuracy">Accuracy on the held-out training digits after the trial's steps (0 if diverged).</param>
/// <param name="Diverged">Whether the trial's loss became NaN or infinite.</param>
public sealed record Figure1Trial(double LearningRate, double HeldOutAccuracy, bool Diverged);

/// <summary>The learning rate the protocol chose for one network, with every trial.</summary>
/// <param name="Network">"without BN" or "with BN".</param>
/// <param name="Chosen">The rate with the highest held-out accuracy (the smaller rate on a tie).</param>
/// <param name="Trials">Every rate tried, in grid order.</param>
public sealed record Figure1LearningRateChoice(string Network, double Chosen, Figure1Trial[] Trials)
{
    /// <summary>The chosen rate and every trial's held-out accuracy (or "diverged"), e.g. "with BN: lr 0.5 (held-out
    /// accuracy lr 0.1: 94.0 %, lr 0.5: 96.2 %, …)" (invariant culture).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Network}: lr {Chosen} (held-out accuracy {string.Join(", ", Trials.Select(t => $"lr {t.LearningRate}: {(t.Diverged ? "diverged" : t.HeldOutAccuracy.ToString("P1", CultureInfo.InvariantCulture))}"))})");
}

/// <summary>
/// The result of <see cref="Figure1Experiment.Run"/>: both networks' curves, the learning-rate choice, the options
/// and where and how it was computed. Saved as JSON in <c>notebooks/data/figure1-full.json</c> by
/// <c>dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release</c>.
/// </summary>
/// <param name="Options">The settings (steps, seed, σ, grid, record schedule).</param>
/// <param name="Protocol">The learning-rate protocol, in words.</param>
/// <param name="LearningRates">The choice for each network (null when the rates were given).</param>
/// <param name="WithoutBatchNorm">The plain network's curves.</param>
/// <param name="WithBatchNorm">The BN network's curves.</param>
/// <param name="Provenance">How, where, when and how fast it was computed.</param>
public sealed record Figure1Result(Figure1Options Options, string Protocol, Figure1LearningRateChoice[]? LearningRates,
    Figure1Curve WithoutBatchNorm, Figure1Curve WithBatchNorm, Figure1Provenance Provenance)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The two curves, without BN first.</summary>
    [JsonIgnore]
    public IReadOnlyList<Figure1Curve> Curves => [WithoutBatchNorm, WithBatchNorm];

    /// <summary>A one-line label for a chart, e.g. "50,000 steps, full MNIST, computed by … on 2025-…, took 61 s".</summary>
    [JsonIgnore]
    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{WithBatchNorm.Steps[^1]:N0} steps, full MNIST ({Provenance.TrainDigits:N0} train / {Provenance.TestDigits:N0} test digits), computed by `{Provenance.Command}` on {Provenance.Date}, took {Provenance.Seconds:F0} s on {Provenance.Cores} cores");

    /// <summary>Writes the result as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson() + "\n");

    /// <summary>The result as JSON (camelCase, doubles round-trip exactly).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a result saved by <see cref="Save"/>.</summary>
    public static Figure1Result Load(string path) =>
        JsonSerializer.Deserialize<Figure1Result>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} holds no Figure 1 result.");

    /// <summary><see cref="Label"/>, then one line per curve (see <see cref="Figure1Curve.ToString"/>), then the protocol
    /// and the learning-rate choices when the rates were tuned.</summary>
    public override string ToString() => $"{Label}\n{WithoutBatchNorm}\n{WithBatchNorm}" +
        (LearningRates is null ? "" : $"\n{Protocol}\n{string.Join("\n", LearningRates.Select(c => c.ToString()))}");
}

/// <summary>How a <see cref="Figure1Result"/> was computed.</summary>
/// <param name="Command">The command that recomputes it.</param>
/// <param name="Date">UTC date and time, ISO 8601.</param>
/// <param name="Seconds">Wall-clock seconds of the whole computation (tuning and both runs).</param>
/// <param name="Machine">Processor model and OS.</param>
/// <param name="Cores">Logical processors.</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="TrainDigits">Training digits used by the final runs.</param>
/// <param name="TestDigits">Test digits evaluated at each record.</param>
public sealed record Figure1Provenance(string Command, string Date, double Seconds, string Machine, int Cores, string Runtime,
    int TrainDigits, int TestDigits);
