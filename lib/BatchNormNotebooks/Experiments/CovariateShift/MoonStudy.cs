using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchNormNotebooks;

/// <summary>One stored run of the moons study: which network, which seed, and what <see cref="CovariateShiftExperiments.Run"/> measured.</summary>
public sealed record MoonStudyRun(NetKind Kind, ulong Seed, MoonRun Run);

/// <summary>One stored landscape trace of the moons study (<see cref="CovariateShiftExperiments.MeasureLandscape"/>).</summary>
public sealed record MoonStudyLandscape(NetKind Kind, ulong Seed, LandscapeTrace Trace);

/// <summary>
/// The two-moons study of notebooks/02-internal-covariate-shift (Santurkar et al. 2018, §2–3, at toy scale): every
/// network kind trained on every seed by <see cref="CovariateShiftExperiments.Run"/>, and the loss landscape of the
/// first three kinds by <see cref="CovariateShiftExperiments.MeasureLandscape"/>. Computed once by
/// <see cref="Command"/> into <c>notebooks/data/moons-study.json</c>, so the notebook's live path only loads it;
/// every run is deterministic (double precision, seeded), and a live cell reruns one of them to compare.
/// </summary>
public sealed record MoonStudy(int DataCount, ulong DataSeed, double Noise, double LearningRate, int Steps, ulong[] Seeds, double[] Etas,
    MoonStudyRun[] Runs, MoonStudyLandscape[] Landscapes, string Command, string Date, double Seconds)
{
    /// <summary>The command that recomputes <c>notebooks/data/moons-study.json</c>.</summary>
    public const string StoredCommand = "dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release -- --moons";

    /// <summary>The file name in notebooks/data.</summary>
    public const string FileName = "moons-study.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The kinds whose landscape is measured (noisy BN is not).</summary>
    public static readonly NetKind[] LandscapeKinds = [NetKind.NoBatchNorm, NetKind.NoBatchNormGlorot, NetKind.BatchNorm];

    /// <summary>The notebook's data: <see cref="TwoMoons.Generate"/>(<paramref name="dataCount"/>, <paramref name="dataSeed"/>, <paramref name="noise"/>).</summary>
    public static Dataset<double> Data(int dataCount = 600, ulong dataSeed = 5, double noise = 0.15) => TwoMoons.Generate(dataCount, dataSeed, noise);

    /// <summary>Runs the whole study (all kinds × seeds, and the landscapes), in parallel over the runs; the numbers do
    /// not depend on the order.</summary>
    public static MoonStudy Compute(ulong[]? seeds = null, double learningRate = 0.5, int steps = 250, double[]? etas = null,
        int dataCount = 600, ulong dataSeed = 5, double noise = 0.15, string command = StoredCommand)
    {
        seeds ??= [1, 2, 3];
        etas ??= [0.05, 0.1, 0.2, 0.5, 1, 2];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = Data(dataCount, dataSeed, noise);
        var kinds = Enum.GetValues<NetKind>();
        var runJobs = kinds.SelectMany(k => seeds.Select(s => (Kind: k, Seed: s))).ToArray();
        var landJobs = LandscapeKinds.SelectMany(k => seeds.Select(s => (Kind: k, Seed: s))).ToArray();
        var runs = runJobs.AsParallel().AsOrdered().Select(j => new MoonStudyRun(j.Kind, j.Seed, CovariateShiftExperiments.Run(data, j.Kind, j.Seed, learningRate, steps))).ToArray();
        var lands = landJobs.AsParallel().AsOrdered().Select(j => new MoonStudyLandscape(j.Kind, j.Seed, CovariateShiftExperiments.MeasureLandscape(data, j.Kind, j.Seed, learningRate, etas, steps))).ToArray();
        return new MoonStudy(dataCount, dataSeed, noise, learningRate, steps, seeds, etas, runs, lands, command,
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), Math.Round(clock.Elapsed.TotalSeconds, 1));
    }

    /// <summary>The runs of <paramref name="kind"/>, in seed order.</summary>
    public MoonRun[] RunsOf(NetKind kind) => [.. Seeds.Select(s => Runs.Single(r => r.Kind == kind && r.Seed == s).Run)];

    /// <summary>The landscape traces of <paramref name="kind"/>, in seed order.</summary>
    public LandscapeTrace[] LandscapesOf(NetKind kind) => [.. Seeds.Select(s => Landscapes.Single(r => r.Kind == kind && r.Seed == s).Trace)];

    /// <summary>Writes the study as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads a study saved by <see cref="Save"/>.</summary>
    public static MoonStudy Load(string path) =>
        JsonSerializer.Deserialize<MoonStudy>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} holds no moons study.");

    /// <summary>One line: what was computed, by which command, when, how long.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Runs.Length} runs and {Landscapes.Length} landscape traces ({Steps} steps, η = {LearningRate}, seeds {string.Join(", ", Seeds)}), computed by `{Command}` on {Date} in {Seconds:F0} s");
}
