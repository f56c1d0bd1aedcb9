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
    // σ²_B = (0 + 0.0001 + 0.0001 + 0)/4 = 5e-5; (a) √(5e-5 + 1e-5) = 0.0077460; (b) with γ = σ_B = 0.0070711 the
    // largest |z − μ| = 0.01 comes out as 0.01·0.0070711/0.0077460 = 0.0091287, off by 0.00087129.
    [InlineData(0.00775, 0.00087, "right")]
    [InlineData(0.00775, -0.00087, "right")]     // the sign of y − z does not matter
    [InlineData(0.00707, 0.00087, "wrong")]      // √(5e-5), without ε
    [InlineData(0.00775, 0, "wrong")]            // as if γ = σ_B were the identity
    [InlineData(0.00775, 0.0009, "wrong")]       // 1 digit
    [InlineData(0.00775, 0.0087, "wrong")]       // relative to 0.1, not 0.01
    [InlineData(double.NaN, 0.00087, "not answered")]
    [InlineData(0.00775, double.NaN, "not answered")]
    public void IdentityGamma(double answer, double error, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.IdentityGamma(answer, error)));

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

    /// <summary>
    /// The largest |∂L/∂W| of Linear(2→3, seed 41) → BatchNorm1d(3) for <see cref="Rows"/> and <see cref="Upstream"/>, by
    /// centred differences of L = Σ upstream ⊙ output through the forward passes only (not the backward under test).
    /// </summary>
    private static double WeightGradientByDifferences()
    {
        var linear = new Linear<double>(2, 3, new SeededRandom(41));
        double Loss()
        {
            var y = new BatchNorm1d<double>(3).Forward(linear.Forward(Rows()));
            var u = Upstream();
            double sum = 0;
            for (int i = 0; i < y.Rows; i++)
            {
                for (int j = 0; j < y.Cols; j++)
                {
                    sum += y[i, j] * u[i, j];
                }
            }

            return sum;
        }

        const double h = 1e-6;
        double largest = 0;
        for (int k = 0; k < linear.Weight.Value.Length; k++)
        {
            double w = linear.Weight.Value[k];
            linear.Weight.Value[k] = w + h;
            double plus = Loss();
            linear.Weight.Value[k] = w - h;
            double minus = Loss();
            linear.Weight.Value[k] = w;
            largest = Math.Max(largest, Math.Abs((plus - minus) / (2 * h)));
        }

        return largest;
    }

    [Theory]
    [InlineData(2.25, 3e-16, true, 2.25, "right")]      // ∂L/∂β_j and, without BN, ∂L/∂b_j are both the column sums of the upstream gradient
    [InlineData(2.25, 0, true, 2.25, "right")]          // the Linear's bias with BN after it: 0 up to round-off
    [InlineData(2.25, -4e-15, true, 2.25, "right")]
    [InlineData(2.25, 0, false, 2.25, "wrong")]         // the bias typed as 0 without running the backward: the weights give it away
    [InlineData(0, 0, true, 2.25, "wrong")]             // the Linear's own bias with BN after it, not β
    [InlineData(-4e-15, 0, true, 2.25, "wrong")]        // the same, with round-off
    [InlineData(2.25, 2.25, true, 2.25, "wrong")]       // as if b's gradient passed through batch norm unchanged
    [InlineData(2.25, 1e-6, true, 2.25, "wrong")]       // not round-off
    [InlineData(1.5, 0, true, 2.25, "wrong")]           // one column, not the largest
    [InlineData(2.25, 0, true, 0, "wrong")]             // as if the bias never got a gradient
    [InlineData(double.NaN, 0, true, 2.25, "not answered")]
    [InlineData(2.25, double.NaN, true, 2.25, "not answered")]
    public void RedundantBias(double withBn, double biasWithBn, bool weightRight, double withoutBn, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.RedundantBias(withBn, biasWithBn,
            weightRight ? WeightGradientByDifferences() : 0, withoutBn, new Linear<double>(2, 3, new SeededRandom(41)), Rows(), Upstream())));

    [Fact]
    public void RedundantBias_weight_gradient_needs_the_batch_norm()
    {
        // The Linear alone: ∂L/∂W = upstreamᵀ·X, its largest |entry| (computed here by hand from the test's matrices)
        var x = Rows();
        var u = Upstream();
        double alone = 0;
        for (int o = 0; o < 3; o++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = 0;
                for (int r = 0; r < x.Rows; r++)
                {
                    g += u[r, o] * x[r, i];
                }

                alone = Math.Max(alone, Math.Abs(g));
            }
        }

        string output = ConsoleCapture.Of(() => BatchNormAlgorithmExercises.RedundantBias(2.25, 0, alone, 2.25,
            new Linear<double>(2, 3, new SeededRandom(41)), Rows(), Upstream()));
        Assert.Contains("the Linear alone", output, StringComparison.Ordinal);
    }

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

    /// <summary>The counts of <see cref="Runs"/> below, worked out by hand: BN before g lower in windows 1–5, the
    /// control lower on 6 of 10 in window 6 and on all 10 from window 7 on.</summary>
    private static readonly int[] Counts = [0, 0, 0, 0, 0, 6, 10, 10, 10, 10, 10, 10, 10, 10, 10];

    [Theory]
    // The control (loss 1) is higher than BN before g (0.5) up to step 100; over steps 101–120 it is lower on 6 of 10
    // (BN before g 1.5 on six seeds); from step 121 on lower on all 10. So (b) = 140, and (c) is the 6-of-10 split:
    // two-sided p = 2·(C(10,0) + … + C(10,4))/1024 = 2·386/1024 = 0.75390625.
    [InlineData("right", 140, 0.754, "right")]
    [InlineData("right", 120, 0.754, "wrong")]         // the window before
    [InlineData("right", 300, 0.754, "wrong")]         // the last window
    [InlineData("right", 140, 0.377, "wrong")]         // one-sided
    [InlineData("right", 140, 0.75, "wrong")]          // 2 digits
    [InlineData("other arm", 140, 0.754, "wrong")]     // counts BN before g's wins
    [InlineData("one off", 140, 0.754, "wrong")]       // window 6 counted as 5
    [InlineData("short", 140, 0.754, "wrong")]         // 14 windows
    [InlineData("none", 140, 0.754, "not answered")]
    [InlineData("right", 140, double.NaN, "not answered")]
    public void RankingFlip(string counts, double step, double p, string verdict)
    {
        int[]? answer = counts switch
        {
            "right" => Counts,
            "other arm" => [.. Counts.Select(c => 10 - c)],
            "one off" => [.. Counts.Select((c, w) => w == 5 ? 5 : c)],
            "short" => [.. Counts.Take(14)],
            _ => null,
        };
        var control = Runs(1, [.. Enumerable.Repeat(1.0, 10)], 1);
        var before = Runs(0.5, [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 0.5, 0.5, 0.5, 0.5], 1.5);
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.RankingFlip(answer, step, p, control, before)));
    }
}
