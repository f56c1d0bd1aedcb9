using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 03's exercise checks: the reference answer passes, the planted mistake fails, an unanswered one is "not
/// answered". Expected values are worked out by hand (in the comments) or by an implementation written here.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class BatchNormAlgorithmExercisesTests
{
    [Theory]
    // z = 0.3·x1 − 0.1·x2 + 0.4 over (10,12), (6,8), (9,9), (8,8) = 2.2, 1.4, 2.2, 2.0: μ = 1.95; squared deviations
    // 0.0625 + 0.3025 + 0.0625 + 0.0025 = 0.43, /4 = 0.1075, √ = 0.32787 (/3: 0.37859).
    [InlineData(1.950, 0.3279, "right", "right")]
    [InlineData(2.6, 0.3786, "wrong", "wrong")]
    [InlineData(1.950, 0.1075, "right", "wrong")]
    [InlineData(3.075, 0.4380, "wrong", "wrong")]       // the notebook's printed neuron (0.2, 0.1, 0.5), not the exercise's
    [InlineData(double.NaN, double.NaN, "not answered", "not answered")]
    public void BatchStatistics(double mean, double std, string meanVerdict, string stdVerdict) =>
        Assert.Equal([meanVerdict, stdVerdict], ExerciseVerdicts.All(() => BatchNormAlgorithmExercises.BatchStatistics(mean, std)));

    [Theory]
    [InlineData(0.00775, "right")]    // √(5e-5 + 1e-5) = 0.0077460
    [InlineData(0.00707, "wrong")]    // √(5e-5), without ε
    [InlineData(double.NaN, "not answered")]
    public void IdentityGamma(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.IdentityGamma(answer)));

    private static double[] Written(double[] z, double gamma, double beta, double eps, bool unbiased = false, bool boardShortcut = false)
    {
        double mu = z.Sum() / z.Length;
        double ss = z.Sum(v => (v - mu) * (v - mu));
        double variance = ss / (unbiased ? z.Length - 1 : z.Length);
        double denominator = boardShortcut ? Math.Sqrt(variance) + Math.Sqrt(eps) : Math.Sqrt(variance + eps);
        return [.. z.Select(v => (gamma * (v - mu) / denominator) + beta)];
    }

    private static double[] Right(double[] z, double gamma, double beta, double eps) => Written(z, gamma, beta, eps);

    private static double[] Unbiased(double[] z, double gamma, double beta, double eps) => Written(z, gamma, beta, eps, unbiased: true);

    private static double[] Shortcut(double[] z, double gamma, double beta, double eps) => Written(z, gamma, beta, eps, boardShortcut: true);

    private static double[] NoEpsilon(double[] z, double gamma, double beta, double eps) => Written(z, gamma, beta, 0);

    private static double[] Unanswered(double[] z, double gamma, double beta, double eps) => throw new NotImplementedException();

    private static double[] ByTheLibrary(double[] z, double gamma, double beta, double eps)
    {
        var layer = new BatchNorm1d<double>(1, BatchNormConvention.PyTorch.WithEpsilon(eps));
        layer.Gamma.Value[0] = gamma;
        layer.Beta.Value[0] = beta;
        return layer.Forward(new Matrix<double>(z.Length, 1, z)).Column(0);
    }

    [Fact]
    public void Transform_accepts_Algorithm_1_written_out() =>
        Assert.Equal("right", ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.Transform(Right)));

    [Theory]
    [InlineData("unbiased", "not m − 1")]
    [InlineData("shortcut", "inside the square root")]
    [InlineData("no eps", "ε")]
    [InlineData("library", "uses the library")]
    public void Transform_rejects_the_usual_slips_with_a_pointed_hint(string slip, string inHint)
    {
        Func<double[], double, double, double, double[]> answer = slip switch
        {
            "unbiased" => Unbiased,
            "shortcut" => Shortcut,
            "no eps" => NoEpsilon,
            _ => ByTheLibrary,
        };
        string line = ConsoleCapture.Of(() => BatchNormAlgorithmExercises.Transform(answer));
        Assert.Equal("wrong", ExerciseVerdicts.Read(line));
        Assert.Contains(inHint, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Transform_not_answered_while_the_body_throws_NotImplementedException() =>
        Assert.Equal("not answered", ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.Transform(Unanswered)));

    /// <summary>An upstream gradient whose column sums are 1.5, −2.25 and 0.5 (largest |sum| 2.25).</summary>
    private static Matrix<double> Upstream() => Matrix<double>.FromRows([
        [1.0, -1.0, 0.5], [0.5, -0.25, -0.5], [-1.0, 0.0, 0.25], [1.0, -1.0, 0.25],
        [0.0, 0.5, 0.0], [0.25, -0.25, 0.0], [-0.5, 0.0, 0.5], [0.25, -0.25, -0.5]]);

    private static Matrix<double> Rows() => Matrix<double>.FromRows([
        [0.1, 1.2], [-0.7, 0.3], [1.5, -0.4], [0.2, 0.9], [-1.1, -1.3], [0.6, 0.0], [-0.3, 0.8], [0.9, -0.6]]);

    [Theory]
    [InlineData(2.25, 2.25, "right")]       // ∂L/∂β_j and, without BN, ∂L/∂b_j are both the column sums of the upstream gradient
    [InlineData(0, 2.25, "wrong")]          // the Linear's own bias with BN after it, not β
    [InlineData(-4e-15, 2.25, "wrong")]     // the same, with round-off
    [InlineData(1.5, 2.25, "wrong")]        // one column, not the largest
    [InlineData(2.25, 0, "wrong")]          // as if the bias never got a gradient
    [InlineData(double.NaN, 2.25, "not answered")]
    public void RedundantBias(double withBn, double withoutBn, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.RedundantBias(withBn, withoutBn, new Linear<double>(2, 3, new SeededRandom(41)), Rows(), Upstream())));

    /// <summary>One run per entry: loss 1 in windows 1–20 … 81–100 (w &lt; 5), <paramref name="window5"/>[k] in steps
    /// 101–120, <paramref name="late"/> from step 121 on.</summary>
    private static List<TrainingHistory> Runs(double early, double[] window5, double late) =>
    [
        .. window5.Select(l =>
        {
            var h = new TrainingHistory();
            for (int step = 1; step <= 300; step++)
            {
                h.Loss.Add(step <= 100 ? early : step <= 120 ? l : late);
            }

            return h;
        }),
    ];

    [Theory]
    // The control (loss 1) is higher than BN before g (0.5) up to step 100; over steps 101–120 it is lower on 6 of 10
    // (BN before g 1.5 on six seeds); from step 121 on lower on all 10. So (a) = 140, and (b) is the 6-of-10 split:
    // two-sided p = 2·(C(10,0) + … + C(10,4))/1024 = 2·386/1024 = 0.75390625.
    [InlineData(140, 0.754, "right")]
    [InlineData(120, 0.754, "wrong")]         // the window before
    [InlineData(300, 0.754, "wrong")]         // the last window
    [InlineData(140, 0.377, "wrong")]         // one-sided
    [InlineData(140, 0.75, "wrong")]          // 2 digits
    [InlineData(140, double.NaN, "not answered")]
    public void RankingFlip(double step, double p, string verdict)
    {
        var control = Runs(1, [.. Enumerable.Repeat(1.0, 10)], 1);
        var before = Runs(0.5, [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 0.5, 0.5, 0.5, 0.5], 1.5);
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.RankingFlip(step, p, control, before)));
    }
}
