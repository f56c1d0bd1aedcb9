namespace BatchNormNotebooks;

/// <summary>
/// How the probed sigmoid input of a stored Figure 1 run moves over the records from a given step on: how far its
/// percentiles travel (in raw units and in units of the distribution's own 15–85 spread), how much of the median's
/// motion is a steady drift, and how much the spread grows.
/// </summary>
/// <remarks>Taught in notebooks/02-internal-covariate-shift (the full-scale panels b, c).</remarks>
public static class Figure1Drift
{
    /// <summary>Indices of the records of <paramref name="curve"/> at steps ≥ <paramref name="fromStep"/> (at least two).</summary>
    public static int[] Records(Figure1Curve curve, int fromStep)
    {
        ArgumentNullException.ThrowIfNull(curve);
        int[] late = [.. Enumerable.Range(0, curve.Steps.Length).Where(i => curve.Steps[i] >= fromStep)];
        return late.Length >= 2 ? late
            : throw new ArgumentOutOfRangeException(nameof(fromStep), fromStep, $"Fewer than two records at or after step {fromStep}.");
    }

    /// <summary>Net share of the median's motion: |trend| / path, with trend the change over the records of the
    /// least-squares line through the median (<see cref="CovariateShiftExperiments.Trend"/>) and path the distance it
    /// travels, Σ |Δ median| between consecutive records. 1 when every move goes the same way at a constant rate; near
    /// 0 when the moves cancel. It does not tell jitter around a level from a slow random walk.</summary>
    public static double NetShare(Figure1Curve curve, int fromStep)
    {
        int[] l = Records(curve, fromStep);
        double[] y = [.. l.Select(i => curve.P50[i])];
        double path = CovariateShiftExperiments.PathLength(y);
        return path == 0 ? 0 : Math.Abs(Trend(curve, l)) / path;
    }

    /// <summary>The median's trend (see <see cref="NetShare"/>) in units of the 15–85 spread averaged over the same
    /// records: |trend| / mean(P85 − P15). How far the fitted line carries the median, measured by the distribution's width.</summary>
    public static double TrendInSpreads(Figure1Curve curve, int fromStep)
    {
        int[] l = Records(curve, fromStep);
        return Math.Abs(Trend(curve, l)) / l.Average(i => curve.P85[i] - curve.P15[i]);
    }

    /// <summary>The distance the three percentiles travel together: Σ over P15, P50, P85 of Σ |Δp| between consecutive
    /// records. In the input's own units, so a wider distribution travels further for the same relative motion.</summary>
    public static double Travel(Figure1Curve curve, int fromStep)
    {
        int[] l = Records(curve, fromStep);
        return Percentiles(curve).Sum(v => CovariateShiftExperiments.PathLength([.. l.Select(i => v[i])]));
    }

    /// <summary>The same distance in units of the spread: each move |p[k+1] − p[k]| between consecutive records is
    /// divided by the 15–85 spread P85 − P15 at the earlier record k, then summed over the records and the three percentiles.</summary>
    public static double TravelInSpreads(Figure1Curve curve, int fromStep)
    {
        int[] l = Records(curve, fromStep);
        double sum = 0;
        foreach (double[] v in Percentiles(curve))
        {
            for (int k = 0; k + 1 < l.Length; k++)
            {
                double spread = curve.P85[l[k]] - curve.P15[l[k]];
                sum += spread > 0 ? Math.Abs(v[l[k + 1]] - v[l[k]]) / spread
                    : throw new InvalidOperationException($"The 15–85 spread at step {curve.Steps[l[k]]} is {spread}; travel in spreads needs it positive.");
            }
        }

        return sum;
    }

    /// <summary>Growth of the 15–85 spread from the first record at or after <paramref name="fromStep"/> to the last.</summary>
    public static double SpreadGrowth(Figure1Curve curve, int fromStep)
    {
        int i = Records(curve, fromStep)[0];
        return (curve.P85[^1] - curve.P15[^1]) - (curve.P85[i] - curve.P15[i]);
    }

    private static double Trend(Figure1Curve curve, int[] l) =>
        CovariateShiftExperiments.Trend([.. l.Select(i => (double)curve.Steps[i])], [.. l.Select(i => curve.P50[i])]);

    private static double[][] Percentiles(Figure1Curve curve) => [curve.P15, curve.P50, curve.P85];
}
