using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks;

/// <summary>
/// A 2-D test function f(x, y) for optimizers: its value, its gradient, a stationary point whose value is known,
/// a starting point and a plotting window.
/// </summary>
/// <param name="Name">What it is, e.g. "Rosenbrock".</param>
/// <param name="Value">f(x, y).</param>
/// <param name="Gradient">(∂f/∂x, ∂f/∂y) at (x, y).</param>
/// <param name="Optimum">The minimum (for <see cref="TestFunctions.Saddle"/>: the saddle point), length 2.</param>
/// <param name="OptimumValue">f at <see cref="Optimum"/>.</param>
/// <param name="Start">The usual starting point, length 2.</param>
/// <param name="XRange">Plot window along x: (min, max).</param>
/// <param name="YRange">Plot window along y: (min, max).</param>
/// <remarks>Taught in notebooks/06-optimizers.</remarks>
public sealed record TestFunction(string Name, Func<double, double, double> Value, Func<double, double, (double Dx, double Dy)> Gradient,
    double[] Optimum, double OptimumValue, double[] Start, (double Min, double Max) XRange, (double Min, double Max) YRange)
{
    /// <summary>f at a point of length 2.</summary>
    public double At(double[] point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return Value(point[0], point[1]);
    }

    /// <summary>
    /// Runs an optimizer on f from <see cref="Start"/> (or <paramref name="start"/>): the point is one
    /// <see cref="Parameter{T}"/> of length 2; each step sets its gradient to ∇f and calls <see cref="Optimizer{T}.Step"/>.
    /// </summary>
    /// <param name="makeOptimizer">Builds the optimizer over the given parameters, e.g. <c>p =&gt; new Adam&lt;double&gt;(p, 0.1)</c>.</param>
    /// <param name="steps">Number of steps.</param>
    /// <param name="start">Starting point (default <see cref="Start"/>).</param>
    /// <returns>The path θ_0 … θ_n as X and Y arrays (n ≤ steps: it stops early once θ or f(θ) is not finite).</returns>
    public (double[] X, double[] Y) Trajectory(Func<IReadOnlyList<Parameter<double>>, Optimizer<double>> makeOptimizer, int steps, double[]? start = null)
    {
        ArgumentNullException.ThrowIfNull(makeOptimizer);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var p = new Parameter<double>("xy", [.. start ?? Start]);
        var optimizer = makeOptimizer([p]);
        var xs = new List<double> { p.Value[0] };
        var ys = new List<double> { p.Value[1] };
        for (int t = 0; t < steps; t++)
        {
            (p.Grad[0], p.Grad[1]) = Gradient(p.Value[0], p.Value[1]);
            optimizer.Step();
            if (!double.IsFinite(p.Value[0]) || !double.IsFinite(p.Value[1]) || !double.IsFinite(At(p.Value)))
            {
                break;
            }

            xs.Add(p.Value[0]);
            ys.Add(p.Value[1]);
        }

        return ([.. xs], [.. ys]);
    }

    /// <summary>The name, the optimum with its value and the start, e.g. "Rosenbrock: optimum (1, 1) with f = 0, start (-2, 2)".</summary>
    public override string ToString() => $"{Name}: optimum ({Optimum[0]}, {Optimum[1]}) with f = {OptimumValue}, start ({Start[0]}, {Start[1]})";
}

/// <summary>
/// Classic 2-D test functions for optimizers, each with its analytic gradient (checked against centred differences
/// in tests/…/Training/TestFunctionsTests.cs).
/// </summary>
/// <remarks>Taught in notebooks/06-optimizers.</remarks>
public static class TestFunctions
{
    /// <summary>
    /// Ill-conditioned quadratic f = 0.1x² + 2y²; ∇f = (0.2x, 4y); curvatures 0.2 and 4 (condition number 20);
    /// minimum (0, 0), f = 0; start (−4.5, 1).
    /// </summary>
    public static TestFunction IllConditionedQuadratic { get; } = new(
        "Quadratic 0.1x² + 2y²",
        (x, y) => (0.1 * x * x) + (2 * y * y),
        (x, y) => (0.2 * x, 4 * y),
        [0, 0], 0, [-4.5, 1], (-5, 5), (-2, 2));

    /// <summary>
    /// Rosenbrock f = (1 − x)² + 100(y − x²)²; ∇f = (−2(1 − x) − 400x(y − x²), 200(y − x²));
    /// minimum (1, 1), f = 0, at the end of a long curved valley; start (−2, 2).
    /// </summary>
    public static TestFunction Rosenbrock { get; } = new(
        "Rosenbrock",
        (x, y) => ((1 - x) * (1 - x)) + (100 * (y - (x * x)) * (y - (x * x))),
        (x, y) => ((-2 * (1 - x)) - (400 * x * (y - (x * x))), 200 * (y - (x * x))),
        [1, 1], 0, [-2, 2], (-2.5, 2), (-1, 4.5));

    /// <summary>
    /// Beale f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum (3, 0.5), f = 0;
    /// start (1, 1.5); plotted on [−4.5, 4.5]².
    /// </summary>
    public static TestFunction Beale { get; } = new(
        "Beale",
        (x, y) =>
        {
            double a = 1.5 - x + (x * y), b = 2.25 - x + (x * y * y), c = 2.625 - x + (x * y * y * y);
            return (a * a) + (b * b) + (c * c);
        },
        (x, y) =>
        {
            double a = 1.5 - x + (x * y), b = 2.25 - x + (x * y * y), c = 2.625 - x + (x * y * y * y);
            double dx = 2 * ((a * (y - 1)) + (b * ((y * y) - 1)) + (c * ((y * y * y) - 1)));
            double dy = 2 * ((a * x) + (b * 2 * x * y) + (c * 3 * x * y * y));
            return (dx, dy);
        },
        [3, 0.5], 0, [1, 1.5], (-4.5, 4.5), (-4.5, 4.5));

    /// <summary>
    /// Saddle f = x² − y²; ∇f = (2x, −2y); saddle point (0, 0), f = 0 (no minimum: f → −∞ along y);
    /// start (−2, 0.01), almost on the ridge y = 0, so gradient descent first walks to the saddle.
    /// </summary>
    public static TestFunction Saddle { get; } = new(
        "Saddle x² − y²",
        (x, y) => (x * x) - (y * y),
        (x, y) => (2 * x, -2 * y),
        [0, 0], 0, [-2, 0.01], (-2.5, 2.5), (-2.5, 2.5));

    /// <summary>All four, in the order the notebook draws them.</summary>
    public static IReadOnlyList<TestFunction> All { get; } = [IllConditionedQuadratic, Rosenbrock, Beale, Saddle];
}
