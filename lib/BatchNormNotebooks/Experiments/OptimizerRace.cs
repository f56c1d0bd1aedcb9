using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>One optimizer's result of the tuning protocol on one test function.</summary>
/// <param name="LearningRate">The tuned η (fewest steps to the tolerance; if no η reaches it, the lowest final f).</param>
/// <param name="Steps">Steps after which f − f* stays below the tolerance for the rest of the budget; null if never.</param>
/// <param name="FinalGap">f − f* after the budget (+∞ if the run overflowed).</param>
/// <param name="GridIndex">Index of <paramref name="LearningRate"/> in the grid (0 or last: the optimum is at an edge).</param>
/// <param name="GridLength">Number of learning rates tried.</param>
public sealed record TunedRun(double LearningRate, int? Steps, double FinalGap, int GridIndex, int GridLength)
{
    /// <summary>Whether the tuned η lies strictly inside the grid (not its smallest or largest value).</summary>
    public bool Interior => GridIndex > 0 && GridIndex < GridLength - 1;
}

/// <summary>
/// The tuning protocol and the landscapes of notebooks/06-optimizers §4: steps until f stays within a tolerance of its
/// minimum, tuning η on a log grid by that count, quadratics of any conditioning and orientation, and cutting a path
/// where it leaves the plotting window.
/// </summary>
public static class OptimizerRace
{
    /// <summary>
    /// The quadratic f = ½(λ₁u² + λ₂v²) in coordinates (u, v) rotated by <paramref name="angleDegrees"/> from (x, y):
    /// u = x cos φ + y sin φ, v = −x sin φ + y cos φ. Minimum (0, 0), f = 0. The start is (−4.5, 1) in (u, v)
    /// coordinates, so every orientation starts at the same f.
    /// </summary>
    /// <param name="curvatureU">λ₁, the curvature along u.</param>
    /// <param name="curvatureV">λ₂, the curvature along v.</param>
    /// <param name="angleDegrees">φ; 0 gives the axis-aligned 0.5λ₁x² + 0.5λ₂y².</param>
    /// <param name="window">Half-width of the square plotting window.</param>
    public static TestFunction Quadratic(double curvatureU, double curvatureV, double angleDegrees = 0, double window = 5)
    {
        double phi = angleDegrees * Math.PI / 180, c = Math.Cos(phi), s = Math.Sin(phi);
        double[] start = [(c * -4.5) - (s * 1), (s * -4.5) + (c * 1)];
        return new TestFunction(
            angleDegrees == 0 ? $"Quadratic {0.5 * curvatureU:G3}x² + {0.5 * curvatureV:G3}y²" : $"Quadratic rotated by {angleDegrees:G3}°",
            (x, y) =>
            {
                double u = (c * x) + (s * y), v = (-s * x) + (c * y);
                return 0.5 * ((curvatureU * u * u) + (curvatureV * v * v));
            },
            (x, y) =>
            {
                double u = (c * x) + (s * y), v = (-s * x) + (c * y);
                double du = curvatureU * u, dv = curvatureV * v;
                return ((c * du) - (s * dv), (s * du) + (c * dv));
            },
            [0, 0], 0, start, (-window, window), (-window, window));
    }

    /// <summary>
    /// Runs <paramref name="makeOptimizer"/> on <paramref name="f"/> for <paramref name="maxSteps"/> steps and returns the
    /// number of steps after which f − f* stays below <paramref name="tolerance"/> until the end (a run that only
    /// passes through the tolerance does not count), or null if it never settles there (or overflows).
    /// </summary>
    public static int? StepsToTolerance(TestFunction f, Func<IReadOnlyList<Parameter<double>>, Optimizer<double>> makeOptimizer, int maxSteps, double tolerance) =>
        Settle(f, f.Trajectory(makeOptimizer, maxSteps), maxSteps, tolerance).Steps;

    /// <summary>
    /// The tuning protocol: for each η of <paramref name="grid"/>, <see cref="StepsToTolerance"/>; the tuned η is the
    /// one with the fewest steps (ties: the smaller η); if no η reaches the tolerance, the one with the lowest final f.
    /// </summary>
    public static TunedRun Tune(TestFunction f, Func<IReadOnlyList<Parameter<double>>, double, Optimizer<double>> make, IReadOnlyList<double> grid, int maxSteps, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(make);
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Count == 0)
        {
            throw new ArgumentException("The grid needs at least one learning rate.", nameof(grid));
        }

        var runs = grid.Select(lr => Settle(f, f.Trajectory(p => make(p, lr), maxSteps), maxSteps, tolerance)).ToList();
        int best = 0;
        for (int i = 1; i < runs.Count; i++)
        {
            var (a, b) = (runs[i], runs[best]);
            bool better = (a.Steps, b.Steps) switch
            {
                (int sa, int sb) => sa < sb,
                (int, null) => true,
                (null, int) => false,
                _ => a.FinalGap < b.FinalGap,
            };
            best = better ? i : best;
        }

        return new TunedRun(grid[best], runs[best].Steps, runs[best].FinalGap, best, grid.Count);
    }

    /// <summary>
    /// The part of a path inside the plotting window of <paramref name="f"/>: the points up to the first one outside,
    /// then the point where that segment crosses the border. <c>LeftAt</c> is the step of the first point outside (null if
    /// the path stays inside).
    /// </summary>
    public static (double[] X, double[] Y, int? LeftAt) InsideWindow(TestFunction f, double[] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        bool Inside(int i) => x[i] >= f.XRange.Min && x[i] <= f.XRange.Max && y[i] >= f.YRange.Min && y[i] <= f.YRange.Max;
        for (int i = 0; i < x.Length; i++)
        {
            if (Inside(i))
            {
                continue;
            }

            if (i == 0)
            {
                return ([], [], 0);
            }

            // largest fraction s of the segment from point i − 1 to point i that stays inside the window
            double s = 1;
            s = Math.Min(s, Fraction(x[i - 1], x[i], f.XRange));
            s = Math.Min(s, Fraction(y[i - 1], y[i], f.YRange));
            return ([.. x[..i], x[i - 1] + (s * (x[i] - x[i - 1]))], [.. y[..i], y[i - 1] + (s * (y[i] - y[i - 1]))], i);
        }

        return ([.. x], [.. y], null);
    }

    private static double Fraction(double from, double to, (double Min, double Max) range) =>
        to > range.Max ? (range.Max - from) / (to - from)
        : to < range.Min ? (range.Min - from) / (to - from)
        : 1;

    private static (int? Steps, double FinalGap) Settle(TestFunction f, (double[] X, double[] Y) path, int maxSteps, double tolerance)
    {
        if (path.X.Length != maxSteps + 1)
        {
            return (null, double.PositiveInfinity);
        }

        double Gap(int t) => f.Value(path.X[t], path.Y[t]) - f.OptimumValue;
        int last = path.X.Length - 1;
        if (!(Gap(last) < tolerance))
        {
            return (null, Gap(last));
        }

        int t = last;
        while (t > 0 && Gap(t - 1) < tolerance)
        {
            t--;
        }

        return (t, Gap(last));
    }
}
