using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 03's exercise checks: the reference answer passes, the planted mistake fails, an unanswered one is "not
/// answered". Expected values are worked out by hand (in the comments) or by an implementation written here.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class BatchNormAlgorithmExercisesTests
{
    private static Linear<double> Neuron()
    {
        var neuron = new Linear<double>(2, 1, new SeededRandom(0));
        neuron.Weight.Value[0] = 0.2;
        neuron.Weight.Value[1] = 0.1;
        neuron.Bias!.Value[0] = 0.5;
        return neuron;
    }

    [Theory]
    // z = 3.7, 2.5, 3.2, 2.9: μ = 3.075; squared deviations sum to 0.7675, /4 = 0.191875, √ = 0.43804 (/3: 0.50580).
    [InlineData(3.075, 0.4380, "right", "right")]
    [InlineData(4.1, 0.5058, "wrong", "wrong")]
    [InlineData(3.075, 0.1919, "right", "wrong")]
    [InlineData(double.NaN, double.NaN, "not answered", "not answered")]
    public void BatchStatistics(double mean, double std, string meanVerdict, string stdVerdict) =>
        Assert.Equal([meanVerdict, stdVerdict], ExerciseVerdicts.All(() => BatchNormAlgorithmExercises.BatchStatistics(mean, std, Neuron())));

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
    [InlineData(0, 2.25, "right")]
    [InlineData(1e-12, 2.25, "right")]      // round-off of a library computation
    [InlineData(-4e-15, 2.25, "right")]     // round-off of either sign
    [InlineData(1e-9, 2.25, "wrong")]       // not round-off: above the exercise's 1e-12
    [InlineData(0, 0, "wrong")]             // as if the bias never got a gradient
    [InlineData(2.25, 2.25, "wrong")]       // as if batch norm passed the bias's gradient on
    [InlineData(0, 1.5, "wrong")]           // one column, not the largest
    [InlineData(double.NaN, 2.25, "not answered")]
    public void RedundantBias(double withBn, double withoutBn, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.RedundantBias(withBn, withoutBn, new Linear<double>(2, 3, new SeededRandom(41)), Rows(), Upstream())));

    private static List<TrainingHistory> Runs(params double[] earlyLosses) =>
    [
        .. earlyLosses.Select(l =>
        {
            var h = new TrainingHistory();
            for (int step = 1; step <= 300; step++)
            {
                h.Loss.Add(step is > 40 and <= 60 ? l : 0.3);
            }

            return h;
        }),
    ];

    [Theory]
    // BN before g lower on 8 of 10: two-sided p = 2·(C(10,0) + C(10,1) + C(10,2))/1024 = 2·56/1024 = 0.109.
    [InlineData(8, 0.109, "right")]          // p to 3 significant digits: 0.109375
    [InlineData(8, 0.11, "wrong")]           // 2 digits
    [InlineData(8, 0.0547, "wrong")]         // one-sided
    [InlineData(2, 0.109, "wrong")]          // counts the control's wins
    [InlineData(8, double.NaN, "not answered")]
    public void EarlyPairedCount(double count, double p, string verdict)
    {
        var control = Runs(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var before = Runs(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5, 1.5);
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BatchNormAlgorithmExercises.EarlyPairedCount(count, p, control, before)));
    }
}
