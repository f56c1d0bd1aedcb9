using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Assignment;

/// <summary>
/// The checks of notebooks/07-implement-batchnorm: the reference solutions (the same code as
/// notebooks/solutions/07-implement-batchnorm.txt) pass, an unanswered function is "not answered", and each planted
/// bug fails with the hint that points at it.
/// </summary>
public sealed class BatchNormAssignmentTests
{
    private static (Matrix<double> Y, double[] Mean, double[] Variance) ForwardTrain(Matrix<double> x, double[] gamma, double[] beta, double eps) =>
        ForwardTrainWith(x, gamma, beta, eps, unbiased: false, withEps: true, affine: true);

    private static (Matrix<double> Y, double[] Mean, double[] Variance) ForwardTrainWith(Matrix<double> x, double[] gamma, double[] beta, double eps, bool unbiased, bool withEps, bool affine)
    {
        int m = x.Rows, n = x.Cols;
        var mean = new double[n];
        var variance = new double[n];
        var y = new Matrix<double>(m, n);
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                mean[j] += x[i, j] / m;
            }

            for (int i = 0; i < m; i++)
            {
                variance[j] += (x[i, j] - mean[j]) * (x[i, j] - mean[j]) / (unbiased ? m - 1 : m);
            }

            for (int i = 0; i < m; i++)
            {
                double xHat = (x[i, j] - mean[j]) / Math.Sqrt(variance[j] + (withEps ? eps : 0));
                y[i, j] = affine ? (gamma[j] * xHat) + beta[j] : xHat;
            }
        }

        return (y, mean, variance);
    }

    private static Matrix<double> ForwardEval(Matrix<double> x, double[] gamma, double[] beta, double[] runningMean, double[] runningVar, double eps)
    {
        var y = new Matrix<double>(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            for (int j = 0; j < x.Cols; j++)
            {
                y[i, j] = (gamma[j] * (x[i, j] - runningMean[j]) / Math.Sqrt(runningVar[j] + eps)) + beta[j];
            }
        }

        return y;
    }

    private static (Matrix<double> Dx, double[] DGamma, double[] DBeta) Backward(Matrix<double> dy, Matrix<double> x, double[] gamma, double eps) =>
        BackwardWith(dy, x, gamma, eps, gammaOverRows: false, naiveDx: false);

    private static (Matrix<double> Dx, double[] DGamma, double[] DBeta) BackwardWith(Matrix<double> dy, Matrix<double> x, double[] gamma, double eps, bool gammaOverRows, bool naiveDx)
    {
        int m = x.Rows, n = x.Cols;
        var (_, mean, variance) = ForwardTrain(x, gamma, new double[n], eps);
        var dx = new Matrix<double>(m, n);
        var dGamma = new double[gammaOverRows ? m : n];
        var dBeta = new double[n];
        for (int j = 0; j < n; j++)
        {
            double invStd = 1 / Math.Sqrt(variance[j] + eps), sumDy = 0, sumDyXHat = 0;
            for (int i = 0; i < m; i++)
            {
                double xHat = (x[i, j] - mean[j]) * invStd;
                sumDy += dy[i, j];
                sumDyXHat += dy[i, j] * xHat;
                dGamma[gammaOverRows ? i : j] += dy[i, j] * xHat;
            }

            dBeta[j] = sumDy;
            for (int i = 0; i < m; i++)
            {
                double xHat = (x[i, j] - mean[j]) * invStd;
                dx[i, j] = naiveDx
                    ? dy[i, j] * gamma[j] * invStd
                    : gamma[j] * invStd / m * ((m * dy[i, j]) - sumDy - (xHat * sumDyXHat));
            }
        }

        return (dx, dGamma, dBeta);
    }

    private static void RunningUpdate(double[] runningMean, double[] runningVar, double[] batchMean, double[] batchVar, int m, double momentum) =>
        RunningUpdateWith(runningMean, runningVar, batchMean, batchVar, m, momentum, unbiased: true, kerasMeaning: false);

    private static void RunningUpdateWith(double[] runningMean, double[] runningVar, double[] batchMean, double[] batchVar, int m, double momentum, bool unbiased, bool kerasMeaning)
    {
        double w = kerasMeaning ? 1 - momentum : momentum;
        for (int j = 0; j < runningMean.Length; j++)
        {
            runningMean[j] = ((1 - w) * runningMean[j]) + (w * batchMean[j]);
            runningVar[j] = ((1 - w) * runningVar[j]) + (w * (unbiased ? batchVar[j] * m / (m - 1) : batchVar[j]));
        }
    }

    [Fact]
    public void Reference_solutions_pass()
    {
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckForwardTrain(ForwardTrain));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckForwardEval(ForwardEval));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckBackward(Backward));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckRunningUpdate(RunningUpdate));
    }

    [Fact]
    public void Unanswered_functions_are_not_answered()
    {
        Assert.Null(BatchNormAssignment.CheckForwardTrain((_, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckForwardEval((_, _, _, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckBackward((_, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckRunningUpdate((_, _, _, _, _, _) => throw new NotImplementedException()).Right);
    }

    public static TheoryData<string, string> PlantedBugs() => new()
    {
        { "forward divides by m − 1", "divides by m − 1" },
        { "forward without ε", "without ε" },
        { "forward without γ and β", "apply the scale γ and the shift β" },
        { "eval uses batch statistics", "batch's own statistics" },
        { "eval without ε", "with ε" },
        { "dγ summed over the features", "sum over the batch (axis 0" },
        { "dx ignores the mean and variance paths", "they depend on x" },
        { "running variance biased", "unbiased m/(m−1)" },
        { "momentum with Keras's meaning", "weight of the NEW value" },
    };

    [Theory]
    [MemberData(nameof(PlantedBugs))]
    public void Each_planted_bug_fails_with_a_hint_that_points_at_it(string bug, string hint)
    {
        AssignmentVerdict verdict = bug switch
        {
            "forward divides by m − 1" => BatchNormAssignment.CheckForwardTrain((x, g, b, e) => ForwardTrainWith(x, g, b, e, unbiased: true, withEps: true, affine: true)),
            "forward without ε" => BatchNormAssignment.CheckForwardTrain((x, g, b, e) => ForwardTrainWith(x, g, b, e, unbiased: false, withEps: false, affine: true)),
            "forward without γ and β" => BatchNormAssignment.CheckForwardTrain((x, g, b, e) => ForwardTrainWith(x, g, b, e, unbiased: false, withEps: true, affine: false)),
            "eval uses batch statistics" => BatchNormAssignment.CheckForwardEval((x, g, b, _, _, e) => ForwardTrain(x, g, b, e).Y),
            "eval without ε" => BatchNormAssignment.CheckForwardEval((x, g, b, rm, rv, _) => ForwardEval(x, g, b, rm, rv, 0)),
            "dγ summed over the features" => BatchNormAssignment.CheckBackward((dy, x, g, e) => BackwardWith(dy, x, g, e, gammaOverRows: true, naiveDx: false)),
            "dx ignores the mean and variance paths" => BatchNormAssignment.CheckBackward((dy, x, g, e) => BackwardWith(dy, x, g, e, gammaOverRows: false, naiveDx: true)),
            "running variance biased" => BatchNormAssignment.CheckRunningUpdate((rm, rv, bm, bv, m, mo) => RunningUpdateWith(rm, rv, bm, bv, m, mo, unbiased: false, kerasMeaning: false)),
            "momentum with Keras's meaning" => BatchNormAssignment.CheckRunningUpdate((rm, rv, bm, bv, m, mo) => RunningUpdateWith(rm, rv, bm, bv, m, mo, unbiased: true, kerasMeaning: true)),
            _ => throw new ArgumentOutOfRangeException(nameof(bug), bug, null),
        };
        Assert.False(verdict.Right);
        Assert.Contains(hint, verdict.Hint, StringComparison.Ordinal);
    }
}
