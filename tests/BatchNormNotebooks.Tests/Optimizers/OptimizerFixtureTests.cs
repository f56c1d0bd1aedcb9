using Xunit.Abstractions;

namespace BatchNormNotebooks.Tests.Optimizers;

/// <summary>Every optimizer and option against PyTorch 1.13 (tests/fixtures/optimizers.json), step by step.</summary>
public class OptimizerFixtureTests(ITestOutputHelper output)
{
    private const double Float64Tolerance = 1e-12;
    private const double Float32RelativeTolerance = 1e-6;

    public static TheoryData<string> CaseNames => [.. OptimizerFixtures.Cases.Keys];

    [Fact]
    public void Fixture_covers_every_optimizer_and_option()
    {
        var cases = OptimizerFixtures.Cases.Values.ToList();
        Assert.True(cases.Count >= 20, $"only {cases.Count} cases");
        foreach (string name in new[] { "SGD", "Adagrad", "RMSprop", "Adam", "AdamW" })
        {
            Assert.Contains(cases, c => c.Optimizer == name);
        }

        foreach (string option in new[] { "momentum", "dampening", "nesterov", "weight_decay", "lr_decay", "initial_accumulator_value", "centered", "amsgrad", "betas", "alpha" })
        {
            Assert.Contains(cases, c => c.Options.TryGetProperty(option, out _));
        }

        Assert.All(cases, c => Assert.True(c.Grads.Length >= 5 && c.Expected.Length == c.Grads.Length, c.Name));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_pytorch_in_float64_at_every_step(string name)
    {
        var c = OptimizerFixtures.Cases[name];
        double worst = Compare(c, c.Run<double>(), (actual, expected) => Math.Abs(actual - expected), Float64Tolerance, "absolute");
        output.WriteLine($"{name}: max |C# − PyTorch| = {worst:E2}");
    }

    [Theory]
    [InlineData("sgd_nesterov_weight_decay")]
    [InlineData("sgd_momentum_weight_decay")]
    [InlineData("adagrad_all")]
    [InlineData("rmsprop_centered_momentum")]
    [InlineData("adam_amsgrad_weight_decay")]
    [InlineData("adamw_amsgrad")]
    public void Matches_pytorch_in_float32_to_relative_1e_6(string name)
    {
        var c = OptimizerFixtures.Cases[name];
        double worst = Compare(c, c.Run<float>(), (actual, expected) => Math.Abs(actual - expected) / Math.Max(1, Math.Abs(expected)), Float32RelativeTolerance, "relative (to max(1, |expected|))");
        output.WriteLine($"{name} (float32): max relative error = {worst:E2}");
    }

    [Fact]
    public void Float64_max_error_over_all_cases_is_reported()
    {
        double worst = 0;
        string where = "";
        foreach (var c in OptimizerFixtures.Cases.Values)
        {
            double e = Compare(c, c.Run<double>(), (a, b) => Math.Abs(a - b), Float64Tolerance, "absolute");
            if (e >= worst)
            {
                (worst, where) = (e, c.Name);
            }
        }

        output.WriteLine($"max |C# − PyTorch| over {OptimizerFixtures.Cases.Count} cases: {worst:E3} ({where})");
        Assert.True(worst < Float64Tolerance);
    }

    private static double Compare(OptimizerCase c, double[][][] actual, Func<double, double, double> error, double tolerance, string kind)
    {
        double worst = 0;
        for (int step = 0; step < c.Expected.Length; step++)
        {
            for (int p = 0; p < c.Expected[step].Length; p++)
            {
                for (int k = 0; k < c.Expected[step][p].Length; k++)
                {
                    double e = c.Expected[step][p][k], a = actual[step][p][k], err = error(a, e);
                    Assert.True(err <= tolerance, $"{c.Name}: step {step + 1}, parameter {p}, index {k}: C# {a:R}, PyTorch {e:R}, {kind} error {err:E2} > {tolerance:E0}");
                    worst = Math.Max(worst, err);
                }
            }
        }

        return worst;
    }
}
