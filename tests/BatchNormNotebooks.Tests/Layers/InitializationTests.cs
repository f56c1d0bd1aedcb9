namespace BatchNormNotebooks.Tests.Layers;

/// <summary>Glorot initialisation (notebooks/02-internal-covariate-shift): bounds, variance, zero bias, seeding, bad input.</summary>
public class InitializationTests
{
    [Fact]
    public void Glorot_draws_uniform_weights_within_the_bound_with_the_uniform_variance()
    {
        var layer = Initialization.Glorot(new Linear<double>(784, 100, new SeededRandom(1)), new SeededRandom(2), gain: 4);
        double a = 4 * Math.Sqrt(6.0 / 884);                     // gain · √(6 / (in + out))
        double[] w = layer.Weight.Value;
        Assert.All(w, v => Assert.InRange(v, -a, a));
        Assert.True(w.Max() > 0.99 * a && w.Min() < -0.99 * a, "the weights should fill the whole range");
        double mean = w.Average();
        double variance = w.Average(v => (v - mean) * (v - mean));
        Assert.InRange(variance / (a * a / 3), 0.97, 1.03);     // U(−a, a) has variance a²/3; 78,400 draws
        Assert.All(layer.Bias!.Value, b => Assert.Equal(0.0, b));
    }

    [Fact]
    public void Glorot_is_reproducible_and_seed_dependent()
    {
        double[] Draw(ulong seed) => Initialization.Glorot(new Linear<float>(10, 5, new SeededRandom(1)), new SeededRandom(seed)).Weight.Value.Select(v => (double)v).ToArray();
        Assert.Equal(Draw(3), Draw(3));
        Assert.NotEqual(Draw(3), Draw(4));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Glorot_rejects_a_gain_that_is_not_positive_and_finite(double gain)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Initialization.Glorot(new Linear<double>(3, 2, new SeededRandom(1)), new SeededRandom(1), gain));
        Assert.Contains("gain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normal_draws_the_generators_normals_times_std_in_weight_order_and_zeroes_the_bias()
    {
        var layer = Initialization.Normal(new Linear<double>(4, 3, new SeededRandom(1)), new SeededRandom(7), std: 0.5);
        var reference = new SeededRandom(7);
        double[] expected = [.. Enumerable.Range(0, 12).Select(_ => reference.NextNormal(0, 0.5))];
        Assert.Equal(expected, layer.Weight.Value);
        Assert.All(layer.Bias!.Value, b => Assert.Equal(0.0, b));
    }

    [Fact]
    public void NormalLinear_gives_the_same_weights_with_and_without_a_bias_and_float_rounds_the_double_draws()
    {
        var withBias = Initialization.NormalLinear<double>(5, 2, new SeededRandom(3), 0.1, bias: true, "a");
        var without = Initialization.NormalLinear<double>(5, 2, new SeededRandom(3), 0.1, bias: false, "b");
        var single = Initialization.NormalLinear<float>(5, 2, new SeededRandom(3), 0.1);
        Assert.Equal(withBias.Weight.Value, without.Weight.Value);
        Assert.Null(without.Bias);
        Assert.Equal("b.weight", without.Weight.Name);
        Assert.Equal(withBias.Weight.Value.Select(v => (float)v), single.Weight.Value);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Normal_rejects_a_std_that_is_negative_or_not_finite(double std)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Initialization.Normal(new Linear<double>(3, 2, new SeededRandom(1)), new SeededRandom(1), std));
        Assert.Equal("std", ex.ParamName);
    }
}
