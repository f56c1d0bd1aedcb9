using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Experiments;

/// <summary>The tuning protocol and landscapes of notebooks/06-optimizers §4.</summary>
public class OptimizerRaceTests
{
    [Fact]
    public void Axis_aligned_quadratic_is_the_library_s_ill_conditioned_one()
    {
        var q = OptimizerRace.Quadratic(0.2, 4);
        var reference = TestFunctions.IllConditionedQuadratic;
        Assert.Equal(reference.Start, q.Start);
        foreach (var (x, y) in new[] { (1.0, 2.0), (-3.5, 0.25), (0.0, -1.0) })
        {
            Assert.Equal(reference.Value(x, y), q.Value(x, y), 12);
            Assert.Equal(reference.Gradient(x, y).Dx, q.Gradient(x, y).Dx, 12);
            Assert.Equal(reference.Gradient(x, y).Dy, q.Gradient(x, y).Dy, 12);
        }
    }

    [Fact]
    public void Rotated_quadratic_has_the_same_values_along_its_rotated_axes_and_a_matching_gradient()
    {
        var q = OptimizerRace.Quadratic(0.2, 4, angleDegrees: 45);
        double r = Math.Sqrt(0.5);
        Assert.Equal(0.1 * 4, q.Value(2 * r, 2 * r), 12);        // u = 2, v = 0
        Assert.Equal(2 * 1, q.Value(-r, r), 12);                 // u = 0, v = 1
        Assert.Equal(0.1 * 4.5 * 4.5 + 2, q.At(q.Start), 12);    // same start value as the axis-aligned one
        double h = 1e-6, x = 0.7, y = -1.3;
        var (dx, dy) = q.Gradient(x, y);
        Assert.Equal((q.Value(x + h, y) - q.Value(x - h, y)) / (2 * h), dx, 6);
        Assert.Equal((q.Value(x, y + h) - q.Value(x, y - h)) / (2 * h), dy, 6);
    }

    [Fact]
    public void Steps_to_tolerance_counts_gradient_descent_steps_on_a_1d_quadratic()
    {
        // f = 0.5·x² along x only (curvature 1, y has curvature 1 too and starts at 1): GD with η = 0.5 halves both
        // coordinates, so f_t = f_0 / 4^t with f_0 = 0.5(4.5² + 1) = 10.625; f_t < 1e-3 first at t = 7 (10.625/4^7 = 6.5e-4).
        var q = OptimizerRace.Quadratic(1, 1);
        Assert.Equal(7, OptimizerRace.StepsToTolerance(q, p => new Sgd<double>(p, 0.5), 20, 1e-3));
        Assert.Null(OptimizerRace.StepsToTolerance(q, p => new Sgd<double>(p, 0.5), 5, 1e-3));
        Assert.Null(OptimizerRace.StepsToTolerance(q, p => new Sgd<double>(p, 2.5), 20, 1e-3)); // diverges
    }

    [Fact]
    public void Steps_to_tolerance_matches_the_geometric_rate_of_an_oscillating_run()
    {
        // Plain GD with η = 1.9 on curvature 1 flips sign with factor −0.9 per step, so f shrinks by 0.81 per step;
        // the count is the first t with 10.625·0.81^t < 1e-2.
        var q = OptimizerRace.Quadratic(1, 1);
        int? steps = OptimizerRace.StepsToTolerance(q, p => new Sgd<double>(p, 1.9), 200, 1e-2);
        Assert.NotNull(steps);
        Assert.Equal((int)Math.Ceiling(Math.Log(1e-2 / 10.625) / Math.Log(0.81)), steps);
    }

    [Fact]
    public void Tune_picks_the_grid_rate_with_fewest_steps_and_says_whether_it_is_interior()
    {
        var q = OptimizerRace.Quadratic(1, 1);
        double[] grid = [0.1, 0.5, 1.0, 1.5, 3.0];
        var tuned = OptimizerRace.Tune(q, (p, lr) => new Sgd<double>(p, lr), grid, 50, 1e-6);
        Assert.Equal(1.0, tuned.LearningRate);   // η = 1/λ lands in one step
        Assert.Equal(1, tuned.Steps);
        Assert.True(tuned.Interior);
        var edge = OptimizerRace.Tune(q, (p, lr) => new Sgd<double>(p, lr), [0.01, 0.1], 50, 1e-6);
        Assert.Null(edge.Steps);
        Assert.Equal(0.1, edge.LearningRate);    // nobody reaches the tolerance: the lowest final f
        Assert.False(edge.Interior);
    }

    [Fact]
    public void Inside_window_cuts_the_path_at_the_border()
    {
        var q = OptimizerRace.Quadratic(1, 1); // window [−5, 5]²
        var (x, y, left) = OptimizerRace.InsideWindow(q, [0, 2, 8, 1], [0, 1, 4, 0]);
        Assert.Equal(2, left);
        Assert.Equal([0, 2, 5], x);
        Assert.Equal(0, y[0]);
        Assert.Equal(1 + (0.5 * 3), y[^1], 12);   // from (2, 1) towards (8, 4): x = 5 at half the segment
        var inside = OptimizerRace.InsideWindow(q, [0, 1], [0, 1]);
        Assert.Null(inside.LeftAt);
        Assert.Equal(2, inside.X.Length);
    }
}
