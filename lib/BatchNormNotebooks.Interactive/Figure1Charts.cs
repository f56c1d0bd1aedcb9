using Plotly.NET;
using Plotly.NET.CSharp;

namespace BatchNormNotebooks.Interactive;

/// <summary>Charts of the full-scale Figure 1 over seeds (notebooks/02-internal-covariate-shift).</summary>
public static class Figure1Charts
{
    /// <summary>
    /// Test error (1 − accuracy) of each network over the seeds: the mean as a line and the range from the best to
    /// the worst seed as a shaded band, both axes logarithmic, from the first record after step 0 (so the first
    /// hundreds of steps take as much width as the last tens of thousands, and differences of a tenth of a point
    /// near 3 % error stay visible).
    /// </summary>
    public static GenericChart TestError(IReadOnlyList<Figure1Result> runs, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var bands = new[] { false, true }.Select(bn =>
        {
            var curves = runs.Select(r => bn ? r.WithBatchNorm : r.WithoutBatchNorm).ToArray();
            var (steps, mean, min, max) = Figure1Seeds.Spread(curves, c => [.. c.TestAccuracy.Select(a => 1 - a)]);
            int from = Array.FindIndex(steps, s => s > 0);
            // error: the worst seed (max error = 1 − min accuracy) is the band's top
            return new RangeBand($"{curves[0].Network} (mean, range over {runs.Count} seeds)", steps[from..], min[from..], mean[from..], max[from..]);
        });
        return Charts.Bands(bands, title, "training step (log)", "test error (log)")
            .WithXAxisStyle<double, double, string>(TitleText: "training step (log)", AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: "test error (log)", AxisType: StyleParam.AxisType.Log);
    }
}
