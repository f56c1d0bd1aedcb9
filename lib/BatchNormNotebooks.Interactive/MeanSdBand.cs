namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The mean ± one sample standard deviation of several runs over x (e.g. the training loss over seeds): at each x,
/// Mid = mean m and Low, High = m ∓ s with s = √(Σ(v − m)² / (n − 1)), the sample standard deviation (n − 1, as
/// <see cref="Spread"/>; 0 for one run). Label such a band "mean ± sd (n − 1)".
/// </summary>
public sealed record MeanSdBand : Band
{
    /// <summary>The band from a mean and a sample standard deviation already computed at each x (same lengths).</summary>
    /// <param name="name">Legend name.</param>
    /// <param name="x">The x values.</param>
    /// <param name="mean">The mean over runs at each x.</param>
    /// <param name="sd">The sample standard deviation (n − 1) over runs at each x.</param>
    public MeanSdBand(string name, double[] x, double[] mean, double[] sd)
        : base(name, x, Shifted(mean, sd, -1), mean, Shifted(mean, sd, +1)) => Sd = sd;

    /// <summary>The sample standard deviation (n − 1) at each x: half the band's width.</summary>
    public double[] Sd { get; }

    /// <summary>
    /// The band of <paramref name="runs"/> (at least one; each with the length of <paramref name="x"/>): mean and
    /// sample standard deviation (n − 1) over the runs at each x.
    /// </summary>
    public static MeanSdBand OverRuns(string name, double[] x, IEnumerable<IReadOnlyList<double>> runs)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.ToList();
        if (list.Count == 0 || list.Any(r => r.Count != x.Length))
        {
            throw new ArgumentException($"A mean ± sd band needs at least one run, each with {x.Length} values (one per x).", nameof(runs));
        }

        var spreads = Enumerable.Range(0, x.Length).Select(k => Spread.Of(list.Select(r => r[k]))).ToArray();
        return new MeanSdBand(name, x, [.. spreads.Select(s => s.Mean)], [.. spreads.Select(s => s.Std)]);
    }

    private static double[] Shifted(double[] mean, double[] sd, int sign)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(sd);
        if (sd.Length != mean.Length)
        {
            throw new ArgumentException($"The standard deviations ({sd.Length}) need one value per mean ({mean.Length}).", nameof(sd));
        }

        return [.. mean.Zip(sd, (m, s) => m + (sign * s))];
    }
}
