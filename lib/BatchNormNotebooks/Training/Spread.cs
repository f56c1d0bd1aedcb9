namespace BatchNormNotebooks;

/// <summary>
/// Mean, sample standard deviation (divides by n − 1; 0 for one value), minimum and maximum of a few numbers — the
/// spread of a result over seeds. Used in notebooks/03-batchnorm-algorithm to say "a ± s over 10 seeds".
/// </summary>
public readonly record struct Spread(double Mean, double Std, double Min, double Max, int Count)
{
    /// <summary>The spread of <paramref name="values"/> (at least one).</summary>
    public static Spread Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] v = [.. values];
        if (v.Length == 0)
        {
            throw new ArgumentException("A spread needs at least one value.", nameof(values));
        }

        double mean = v.Average();
        double std = v.Length == 1 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return new Spread(mean, std, v.Min(), v.Max(), v.Length);
    }

    /// <summary>True when the intervals mean ± std of the two spreads overlap (no verdict should be drawn then).</summary>
    public bool Overlaps(Spread other) => Math.Abs(Mean - other.Mean) <= Std + other.Std;

    /// <summary>"mean ± std" with <paramref name="format"/> for both.</summary>
    public string ToString(string format) => $"{Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} ± {Std.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    public override string ToString() => ToString("F3");
}
