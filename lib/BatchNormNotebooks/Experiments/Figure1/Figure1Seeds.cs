using System.Globalization;

namespace BatchNormNotebooks;

/// <summary>
/// The full-scale Figure 1 run over several seeds: seed 1 is <c>notebooks/data/figure1-full.json</c>
/// (<see cref="Figure1Experiment.FullCommand"/>), every other seed S is <c>notebooks/data/figure1-seedS.json</c>,
/// computed by <see cref="Command"/>(S) with the same options and learning-rate protocol. Each seed draws its own
/// weights and its own mini-batch order (shared by the two networks of that seed), and tunes its own learning rates.
/// </summary>
/// <remarks>Taught in notebooks/02-internal-covariate-shift.</remarks>
public static class Figure1Seeds
{
    /// <summary>The command that recomputes the stored file of <paramref name="seed"/>.</summary>
    public static string Command(ulong seed) => seed == 1
        ? Figure1Experiment.FullCommand
        : string.Create(CultureInfo.InvariantCulture, $"{Figure1Experiment.FullCommand} -- --seed {seed} --out notebooks/data/figure1-seed{seed}.json");

    /// <summary>Loads seed 1 from <paramref name="full"/> (<c>figure1-full.json</c>) and every <c>figure1-seedS.json</c>
    /// beside it, ordered by seed.</summary>
    public static IReadOnlyList<Figure1Result> LoadAll(string full)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(full);
        var results = new List<Figure1Result> { Figure1Result.Load(full) };
        foreach (string path in Directory.GetFiles(Path.GetDirectoryName(full)!, "figure1-seed*.json"))
        {
            results.Add(Figure1Result.Load(path));
        }

        var seeds = results.Select(r => r.Options.Seed).ToArray();
        if (seeds.Distinct().Count() != seeds.Length)
        {
            throw new InvalidDataException($"Two stored Figure 1 files hold the same seed ({string.Join(", ", seeds)}).");
        }

        return [.. results.OrderBy(r => r.Options.Seed)];
    }

    /// <summary>BN's test accuracy minus the network without BN's, at every recorded step (percentage points × 0.01).</summary>
    public static double[] Gap(Figure1Result run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return [.. run.WithBatchNorm.TestAccuracy.Zip(run.WithoutBatchNorm.TestAccuracy, (b, p) => b - p)];
    }

    /// <summary>The first recorded step after step 0 at which BN is not ahead (its test accuracy ≤ the other's), or
    /// null if BN is ahead at every record.</summary>
    public static int? FirstStepNotAhead(Figure1Result run)
    {
        double[] gap = Gap(run);
        int i = Array.FindIndex(gap, 1, g => !(g > 0));
        return i < 0 ? null : run.WithBatchNorm.Steps[i];
    }

    /// <summary>How many records after step 0 have BN strictly ahead, and how many records there are after step 0.</summary>
    public static (int Ahead, int Records) RecordsAhead(Figure1Result run, int fromStep = 1)
    {
        double[] gap = Gap(run);
        int[] steps = run.WithBatchNorm.Steps;
        int[] idx = [.. Enumerable.Range(0, steps.Length).Where(i => steps[i] >= fromStep)];
        return (idx.Count(i => gap[i] > 0), idx.Length);
    }

    /// <summary>The value of <paramref name="values"/> at recorded step <paramref name="step"/> of <paramref name="curve"/>.</summary>
    public static double At(Figure1Curve curve, double[] values, int step)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(values);
        int i = Array.IndexOf(curve.Steps, step);
        return i >= 0 ? values[i] : throw new ArgumentOutOfRangeException(nameof(step), step, "Not a recorded step.");
    }

    /// <summary>Per recorded step, the mean, the minimum and the maximum over <paramref name="curves"/> of
    /// <paramref name="select"/> (all curves must share their recorded steps).</summary>
    public static (double[] Steps, double[] Mean, double[] Min, double[] Max) Spread(IReadOnlyList<Figure1Curve> curves, Func<Figure1Curve, double[]> select)
    {
        ArgumentNullException.ThrowIfNull(curves);
        ArgumentNullException.ThrowIfNull(select);
        if (curves.Count == 0 || curves.Any(c => !c.Steps.SequenceEqual(curves[0].Steps)))
        {
            throw new ArgumentException("Give at least one curve; all must record the same steps.", nameof(curves));
        }

        double[][] v = [.. curves.Select(select)];
        int n = curves[0].Steps.Length;
        return ([.. curves[0].Steps.Select(s => (double)s)],
            [.. Enumerable.Range(0, n).Select(i => v.Average(c => c[i]))],
            [.. Enumerable.Range(0, n).Select(i => v.Min(c => c[i]))],
            [.. Enumerable.Range(0, n).Select(i => v.Max(c => c[i]))]);
    }
}
