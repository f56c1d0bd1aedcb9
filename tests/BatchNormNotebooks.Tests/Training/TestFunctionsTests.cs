using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Notebooks;

/// <summary>The 2-D optimizer test functions of notebooks/06-optimizers: gradients against centred differences,
/// known optima, and the trajectory helper.</summary>
public class TestFunctionsTests
{
    public static TheoryData<string> Names => new(TestFunctions.All.Select(f => f.Name));

    private static TestFunction ByName(string name) => TestFunctions.All.Single(f => f.Name == name);

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_matches_centred_differences_at_seeded_random_points(string name)
    {
        var f = ByName(name);
        var rng = new SeededRandom(7);
        for (int k = 0; k < 20; k++)
        {
            double[] v = [rng.NextUniform(f.XRange.Min, f.XRange.Max), rng.NextUniform(f.YRange.Min, f.YRange.Max)];
            double[] numeric = GradientCheck.Numerical(() => f.At(v), v);
            var (dx, dy) = f.Gradient(v[0], v[1]);
            var (error, index) = GradientCheck.RelativeError([dx, dy], numeric);
            Assert.True(error <= 1e-7, $"{name} at ({v[0]}, {v[1]}): ∂/∂{(index == 0 ? "x" : "y")} rel. error {error:E2}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Optimum_has_the_stated_value_and_zero_gradient(string name)
    {
        var f = ByName(name);
        Assert.Equal(f.OptimumValue, f.At(f.Optimum), 12);
        var (dx, dy) = f.Gradient(f.Optimum[0], f.Optimum[1]);
        Assert.Equal(0, dx, 12);
        Assert.Equal(0, dy, 12);
    }

    [Theory]
    [InlineData("Quadratic 0.1x² + 2y²")]
    [InlineData("Rosenbrock")]
    [InlineData("Beale")]
    public void Minimum_is_lower_than_every_nearby_point(string name)
    {
        var f = ByName(name);
        for (int k = 0; k < 16; k++)
        {
            double angle = 2 * Math.PI * k / 16;
            double[] near = [f.Optimum[0] + (1e-3 * Math.Cos(angle)), f.Optimum[1] + (1e-3 * Math.Sin(angle))];
            Assert.True(f.At(near) > f.OptimumValue, $"{name}: f({near[0]}, {near[1]}) = {f.At(near)} is not above the minimum");
        }
    }

    [Fact]
    public void Saddle_point_is_a_minimum_along_x_and_a_maximum_along_y()
    {
        var f = TestFunctions.Saddle;
        Assert.True(f.Value(0.1, 0) > 0);
        Assert.True(f.Value(0, 0.1) < 0);
    }

    [Fact]
    public void Known_values_away_from_the_optimum()
    {
        Assert.Equal(409, TestFunctions.Rosenbrock.Value(-2, 2), 12);           // 3² + 100·(2 − 4)²
        Assert.Equal(14.203125, TestFunctions.Beale.Value(0, 0), 12);           // 1.5² + 2.25² + 2.625²
        Assert.Equal(0.1 * 16 + 2, TestFunctions.IllConditionedQuadratic.Value(4, 1), 12);
    }

    [Fact]
    public void Trajectory_of_plain_gradient_descent_on_the_quadratic_is_the_closed_form()
    {
        var f = TestFunctions.IllConditionedQuadratic;
        double lr = 0.1;
        var (xs, ys) = f.Trajectory(p => new Sgd<double>(p, lr), 10);
        Assert.Equal(11, xs.Length);
        for (int t = 0; t <= 10; t++)
        {
            Assert.Equal(f.Start[0] * Math.Pow(1 - (lr * 0.2), t), xs[t], 12);
            Assert.Equal(f.Start[1] * Math.Pow(1 - (lr * 4), t), ys[t], 12);
        }
    }

    [Fact]
    public void Trajectory_stops_when_the_optimizer_diverges()
    {
        var (xs, _) = TestFunctions.Rosenbrock.Trajectory(p => new Sgd<double>(p, 1.0), 1000);
        Assert.True(xs.Length < 1000);
        Assert.All(xs, v => Assert.True(double.IsFinite(v)));
    }
}
