namespace BatchNormNotebooks;

/// <summary>
/// The Pearson correlation of two feature columns of a data set over its rows: how far the two features go together
/// (+1: on one rising line, −1: on one falling line, 0: no linear relation). Notebook 02 uses it to show that the
/// dog-on-water training set ties the object and background features together and the test set does not.
/// </summary>
public static class FeatureCorrelation
{
    /// <summary>The Pearson correlation of columns <paramref name="first"/> and <paramref name="second"/> of <paramref name="data"/>'s inputs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column index outside the inputs, or fewer than 2 rows.</exception>
    /// <exception cref="ArgumentException">A column that is constant over the rows (its correlation is undefined).</exception>
    public static double Of(Dataset<double> data, int first = 0, int second = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(second);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(first, data.X.Cols);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(second, data.X.Cols);
        ArgumentOutOfRangeException.ThrowIfLessThan(data.Count, 2);
        double[] a = data.X.Column(first), b = data.X.Column(second);
        double ma = a.Average(), mb = b.Average();
        double cross = 0, sa = 0, sb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            cross += (a[i] - ma) * (b[i] - mb);
            sa += (a[i] - ma) * (a[i] - ma);
            sb += (b[i] - mb) * (b[i] - mb);
        }

        if (sa == 0 || sb == 0)
        {
            throw new ArgumentException($"Column {(sa == 0 ? first : second)} is constant over the rows: its correlation is undefined.", nameof(data));
        }

        return cross / Math.Sqrt(sa * sb);
    }
}
