using System.Numerics;
using System.Text.Json;

namespace BatchNormNotebooks.Tests.Layers;

/// <summary>LayerNorm against PyTorch's nn.LayerNorm (tests/fixtures/layernorm.json), a gradient check, and bad input.</summary>
public sealed class LayerNormTests
{
    private sealed record Case(string Name, string DType, int Batch, int Features, double Epsilon,
        double[] X, double[] Gamma, double[] Beta, double[] Y, double[] Dy, double[] Dx, double[] DGamma, double[] DBeta);

    private static readonly Lazy<IReadOnlyDictionary<string, Case>> s_cases = new(() =>
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "layernorm.json")));
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return json.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => c.Deserialize<Case>(options)!)
            .ToDictionary(c => c.Name);
    });

    public static TheoryData<string> Cases() => [.. s_cases.Value.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch(string name)
    {
        var c = s_cases.Value[name];
        var (y, dx, dGamma, dBeta) = c.DType == "float32" ? Run<float>(c) : Run<double>(c);
        // float32 at 1e-6, scaled by each row's conditioning |μ|/σ: row 0 sits at 1000, where x − μ in float32 (as
        // PyTorch computes it) has a relative error of about 6e-5/σ — PyTorch's own rounding, not ours.
        double tolerance = c.DType == "float32" ? 1e-6 : 1e-12;
        double[] rowCondition = [.. Enumerable.Range(0, c.Batch).Select(i => RowCondition(c, i))];
        double[] perElement = [.. Enumerable.Range(0, c.X.Length).Select(k => tolerance * (c.DType == "float32" ? rowCondition[k / c.Features] : 1))];
        double[] perFeature = [.. Enumerable.Repeat(tolerance * (c.DType == "float32" ? rowCondition.Max() : 1), c.Features)];
        AssertClose(c.Y, y, perElement, $"{name} y");
        AssertClose(c.Dx, dx, perElement, $"{name} dx");
        AssertClose(c.DGamma, dGamma, perFeature, $"{name} dγ");
        AssertClose(c.DBeta, dBeta, perFeature, $"{name} dβ");
    }

    [Fact]
    public void Gradient_check_in_double()
    {
        var ln = new LayerNorm<double>(5);
        var random = new SeededRandom(3);
        for (int j = 0; j < 5; j++)
        {
            ln.Gamma.Value[j] = random.NextNormal(1, 0.5);
            ln.Beta.Value[j] = random.NextNormal(0, 0.5);
        }

        var x = Matrix<double>.RandomNormal(4, 5, random, scale: 2.0);
        var result = GradientCheck.CheckLayer(ln, x, seed: 8);
        Assert.True(result.MaxRelativeError <= 1e-7, result.ToString());
    }

    [Fact]
    public void Output_does_not_depend_on_the_rest_of_the_batch()
    {
        var ln = new LayerNorm<double>(3);
        var batch = Matrix<double>.FromRows([[1.0, 2.0, 4.0], [10.0, -3.0, 0.5]]);
        double[] alone = ln.Forward(Matrix<double>.FromRows([[1.0, 2.0, 4.0]])).Data;
        double[] inBatch = ln.Forward(batch).Row(0).ToArray();
        Assert.Equal(alone, inBatch);
        // Hand-computed: μ = 7/3, σ² = ((−4/3)² + (−1/3)² + (5/3)²)/3 = 14/9, x̂ = (x − μ)/√(σ² + 1e-5).
        double std = Math.Sqrt((14.0 / 9) + 1e-5);
        Assert.Equal(new[] { (1 - (7.0 / 3)) / std, (2 - (7.0 / 3)) / std, (4 - (7.0 / 3)) / std }, alone, new Tolerance(1e-15));
    }

    [Fact]
    public void Bad_input_is_named()
    {
        var ln = new LayerNorm<double>(3);
        Assert.Contains("expects 3 features", Assert.Throws<ArgumentException>(() => ln.Forward(new Matrix<double>(2, 4))).Message, StringComparison.Ordinal);
        Assert.Contains("needs a successful Forward", Assert.Throws<InvalidOperationException>(() => ln.Backward(new Matrix<double>(2, 3))).Message, StringComparison.Ordinal);
        ln.Forward(Matrix<double>.FromRows([[1.0, 2.0, 3.0]]));
        Assert.Throws<ArgumentException>(() => ln.Forward(Matrix<double>.FromRows([[1.0, double.NaN, 3.0]])));
        Assert.Throws<InvalidOperationException>(() => ln.Backward(new Matrix<double>(1, 3)));   // the failed forward left nothing stale
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm<double>(3, epsilon: 0));
    }

    [Fact]
    public void Changing_x_after_forward_does_not_change_dx()
    {
        var ln = new LayerNorm<double>(3);
        var x = Matrix<double>.FromRows([[1.0, 2.0, 4.0], [0.5, -1.0, 2.0]]);
        var dy = Matrix<double>.FromRows([[0.3, -0.2, 0.1], [1.0, 0.5, -0.5]]);
        ln.Forward(x);
        double[] before = ln.Backward(dy).Data;
        ln.Forward(x);
        x[0, 0] = 100;
        Assert.Equal(before, ln.Backward(dy).Data);
    }

    private static (double[] Y, double[] Dx, double[] DGamma, double[] DBeta) Run<T>(Case c) where T : IFloatingPointIeee754<T>
    {
        var ln = new LayerNorm<T>(c.Features, c.Epsilon);
        for (int j = 0; j < c.Features; j++)
        {
            ln.Gamma.Value[j] = T.CreateChecked(c.Gamma[j]);
            ln.Beta.Value[j] = T.CreateChecked(c.Beta[j]);
        }

        var y = ln.Forward(new Matrix<T>(c.Batch, c.Features, [.. c.X.Select(T.CreateChecked)]));
        var dx = ln.Backward(new Matrix<T>(c.Batch, c.Features, [.. c.Dy.Select(T.CreateChecked)]));
        return (D(y.Data), D(dx.Data), D(ln.Gamma.Grad), D(ln.Beta.Grad));

        static double[] D(T[] v) => [.. v.Select(double.CreateChecked)];
    }

    private static double RowCondition(Case c, int i)
    {
        var row = c.X.AsSpan(i * c.Features, c.Features).ToArray();
        double mean = row.Average(), std = Math.Sqrt(row.Average(v => (v - mean) * (v - mean)));
        return Math.Max(1, Math.Abs(mean) / std);
    }

    private static void AssertClose(double[] expected, double[] actual, double[] tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance[k] * scale, $"{what}[{k}]: PyTorch {expected[k]}, ours {actual[k]} (tolerance {tolerance[k]:E1} × {scale})");
        }
    }

    private sealed class Tolerance(double t) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= t;

        public int GetHashCode(double obj) => 0;
    }
}
