using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Assignment;

/// <summary>
/// The checks of notebooks/07-implement-batchnorm: the reference solutions (the same code as
/// notebooks/solutions/07-implement-batchnorm.txt) pass, an unanswered function is "not answered", an answer that
/// calls the library's batch norm is rejected, and each planted bug fails with the hint that points at it. The
/// answers here are written out independently of the checks (plain loops, the constants of the bug written in), and
/// each expected hint is a literal: nothing the test compares with comes from the code under test.
/// </summary>
public sealed class BatchNormAssignmentTests
{
    [Flags]
    public enum ForwardBug
    {
        None = 0,
        Unbiased = 1,
        NoEpsilon = 2,
        NoAffine = 4,
        OnePassVariance = 8,
        InPlace = 16,
        HardCodedEpsilon = 32,
        SigmaPlusSqrtEpsilon = 64,
        AcceptsBatchOfOne = 128,
        IntegerOneOverM = 256,
        IgnoresChannels = 512,
        DividesByRows = 1024,
        GuardOnRows = 2048,
    }

    public enum FoldBug
    {
        None,
        WeightUnchanged,
        NoGamma,
        NoEpsilon,
        HardCodedEpsilon,
        SigmaPlusSqrtEpsilon,
        NoLinearBias,
        UnscaledLinearBias,
        NoBeta,
        WritesIntoWeight,
        CachesStdInRunningVariance,
    }

    public enum BackwardBug
    {
        None,
        GammaOverRows,
        NaiveDx,
        HardCodedEpsilon,
        NoVariancePath,
        NoMeanPath,
    }

    public enum ChannelBackwardBug
    {
        None,
        CountsOnlyExamples,
        NoMeanPath,
        NoVariancePath,
        DBetaOverExamplesOnly,
    }

    public enum RunningBug
    {
        None,
        Biased,
        KerasMeaning,
        HardCodedMomentum,
        IntegerDivision,
        NewArrays,
        HardCodedBatchSize,
    }

    private static (Matrix<double> Y, double[] Mean, double[] Variance) ForwardTrain(Matrix<double> x, int channels, double[] gamma, double[] beta, double eps) =>
        ForwardTrainWith(x, channels, gamma, beta, eps, ForwardBug.None);

    /// <summary>Per-channel batch norm of an (N, C·L) matrix (channel c is columns c·L … c·L + L − 1), or a planted bug.</summary>
    private static (Matrix<double> Y, double[] Mean, double[] Variance) ForwardTrainWith(Matrix<double> x, int channels, double[] gamma, double[] beta, double eps, ForwardBug bug)
    {
        if (bug.HasFlag(ForwardBug.IgnoresChannels))
        {
            channels = x.Cols;   // every column its own feature, whatever L is
            gamma = [.. Enumerable.Range(0, channels).Select(k => gamma[k % gamma.Length])];
            beta = [.. Enumerable.Range(0, channels).Select(k => beta[k % beta.Length])];
        }

        int rows = x.Rows, l = x.Cols / channels;
        int m = bug.HasFlag(ForwardBug.DividesByRows) ? rows : rows * l;
        if ((bug.HasFlag(ForwardBug.GuardOnRows) ? rows : rows * l) < 2 && !bug.HasFlag(ForwardBug.AcceptsBatchOfOne))
        {
            throw new ArgumentException("batch norm in training needs at least 2 values per channel", nameof(x));
        }

        if (bug.HasFlag(ForwardBug.HardCodedEpsilon))
        {
            eps = 1e-5;
        }

        var mean = new double[channels];
        var variance = new double[channels];
        var y = bug.HasFlag(ForwardBug.InPlace) ? x : new Matrix<double>(rows, x.Cols);
        for (int c = 0; c < channels; c++)
        {
            double sum = 0, sumOfSquares = 0;
            for (int i = 0; i < rows; i++)
            {
                for (int p = c * l; p < (c + 1) * l; p++)
                {
                    sum += x[i, p];
                    sumOfSquares += x[i, p] * x[i, p];
                }
            }

            mean[c] = bug.HasFlag(ForwardBug.IntegerOneOverM) ? 1 / m * sum : sum / m;   // the planted bug: 1 / m in int is 0
            for (int i = 0; i < rows; i++)
            {
                for (int p = c * l; p < (c + 1) * l; p++)
                {
                    variance[c] += (x[i, p] - mean[c]) * (x[i, p] - mean[c]) / (bug.HasFlag(ForwardBug.Unbiased) ? m - 1 : m);
                }
            }

            if (bug.HasFlag(ForwardBug.OnePassVariance))
            {
                variance[c] = (sumOfSquares / m) - (mean[c] * mean[c]);
            }

            double denominator = bug.HasFlag(ForwardBug.NoEpsilon) ? Math.Sqrt(variance[c])
                : bug.HasFlag(ForwardBug.SigmaPlusSqrtEpsilon) ? Math.Sqrt(variance[c]) + Math.Sqrt(eps)
                : Math.Sqrt(variance[c] + eps);
            for (int i = 0; i < rows; i++)
            {
                for (int p = c * l; p < (c + 1) * l; p++)
                {
                    double xHat = (x[i, p] - mean[c]) / denominator;
                    y[i, p] = bug.HasFlag(ForwardBug.NoAffine) ? xHat : (gamma[c] * xHat) + beta[c];
                }
            }
        }

        return (y, mean, variance);
    }

    private static (Matrix<double> Weight, double[] Bias) Fold(Matrix<double> w, double[] b, double[] gamma, double[] beta, double[] runningMean, double[] runningVar, double eps) =>
        FoldWith(w, b, gamma, beta, runningMean, runningVar, eps, FoldBug.None);

    /// <summary>Folds y = γ·(x·W + b − E)/√(Var + ε) + β into x·W′ + b′, W of shape (in, out): column o of W is scaled by
    /// a_o = γ_o/√(Var_o + ε), and b′_o = (b_o − E_o)·a_o + β_o — or with one planted bug.</summary>
    private static (Matrix<double> Weight, double[] Bias) FoldWith(Matrix<double> w, double[] b, double[] gamma, double[] beta, double[] runningMean, double[] runningVar, double eps, FoldBug bug)
    {
        eps = bug switch
        {
            FoldBug.NoEpsilon => 0,
            FoldBug.HardCodedEpsilon => 1e-5,
            _ => eps,
        };
        var folded = bug == FoldBug.WritesIntoWeight ? w : new Matrix<double>(w.Rows, w.Cols);
        var bias = new double[w.Cols];
        for (int o = 0; o < w.Cols; o++)
        {
            double std = bug == FoldBug.SigmaPlusSqrtEpsilon ? Math.Sqrt(runningVar[o]) + Math.Sqrt(eps) : Math.Sqrt(runningVar[o] + eps);
            double a = bug == FoldBug.WeightUnchanged ? 1 : (bug == FoldBug.NoGamma ? 1 : gamma[o]) / std;
            if (bug == FoldBug.CachesStdInRunningVariance)
            {
                runningVar[o] = std;
            }

            for (int k = 0; k < w.Rows; k++)
            {
                folded[k, o] = w[k, o] * a;
            }

            bias[o] = bug switch
            {
                FoldBug.NoLinearBias => beta[o] - (runningMean[o] * gamma[o] / std),
                FoldBug.UnscaledLinearBias => b[o] + beta[o] - (runningMean[o] * gamma[o] / std),
                FoldBug.NoBeta => (b[o] - runningMean[o]) * gamma[o] / std,
                FoldBug.WeightUnchanged => ((b[o] - runningMean[o]) * gamma[o] / std) + beta[o],
                _ => ((b[o] - runningMean[o]) * a) + beta[o],
            };
        }

        return (folded, bias);
    }

    private static (Matrix<double> Dx, double[] DGamma, double[] DBeta) Backward(Matrix<double> dy, Matrix<double> x, double[] gamma, double eps) =>
        BackwardWith(dy, x, gamma, eps, BackwardBug.None);

    private static (Matrix<double> Dx, double[] DGamma, double[] DBeta) BackwardWith(Matrix<double> dy, Matrix<double> x, double[] gamma, double eps, BackwardBug bug)
    {
        if (bug == BackwardBug.HardCodedEpsilon)
        {
            eps = 1e-5;
        }

        int m = x.Rows, n = x.Cols;
        var (_, mean, variance) = ForwardTrain(x, n, gamma, new double[n], eps);
        var dx = new Matrix<double>(m, n);
        var dGamma = new double[bug == BackwardBug.GammaOverRows ? m : n];
        var dBeta = new double[n];
        for (int j = 0; j < n; j++)
        {
            double invStd = 1 / Math.Sqrt(variance[j] + eps), sumDy = 0, sumDyXHat = 0;
            for (int i = 0; i < m; i++)
            {
                double xHat = (x[i, j] - mean[j]) * invStd;
                sumDy += dy[i, j];
                sumDyXHat += dy[i, j] * xHat;
                dGamma[bug == BackwardBug.GammaOverRows ? i : j] += dy[i, j] * xHat;
            }

            dBeta[j] = sumDy;
            for (int i = 0; i < m; i++)
            {
                double xHat = (x[i, j] - mean[j]) * invStd;
                double meanPath = bug == BackwardBug.NoMeanPath ? 0 : sumDy;
                double variancePath = bug == BackwardBug.NoVariancePath ? 0 : xHat * sumDyXHat;
                dx[i, j] = bug == BackwardBug.NaiveDx
                    ? dy[i, j] * gamma[j] * invStd
                    : gamma[j] * invStd / m * ((m * dy[i, j]) - meanPath - variancePath);
            }
        }

        return (dx, dGamma, dBeta);
    }

    /// <summary>The per-channel backward by plain loops (the closed form with m = N·L), or a planted bug.</summary>
    private static (Matrix<double> Dx, double[] DGamma, double[] DBeta) ChannelBackwardWith(Matrix<double> dy, Matrix<double> x, int channels, double[] gamma, double eps, ChannelBackwardBug bug)
    {
        int rows = x.Rows, l = x.Cols / channels, m = rows * l;
        var (_, mean, variance) = ForwardTrain(x, channels, gamma, new double[channels], eps);
        var dx = new Matrix<double>(rows, x.Cols);
        double[] dGamma = new double[channels], dBeta = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double invStd = 1 / Math.Sqrt(variance[c] + eps);
            for (int i = 0; i < rows; i++)
            {
                for (int p = c * l; p < (c + 1) * l; p++)
                {
                    if (bug != ChannelBackwardBug.DBetaOverExamplesOnly || p == c * l)
                    {
                        dBeta[c] += dy[i, p];
                    }

                    dGamma[c] += dy[i, p] * (x[i, p] - mean[c]) * invStd;
                }
            }

            double k = bug == ChannelBackwardBug.CountsOnlyExamples ? rows : m;
            for (int i = 0; i < rows; i++)
            {
                for (int p = c * l; p < (c + 1) * l; p++)
                {
                    double xHat = (x[i, p] - mean[c]) * invStd;
                    double meanPath = bug == ChannelBackwardBug.NoMeanPath ? 0 : dBeta[c];
                    double variancePath = bug == ChannelBackwardBug.NoVariancePath ? 0 : xHat * dGamma[c];
                    dx[i, p] = gamma[c] * invStd * (dy[i, p] - ((meanPath + variancePath) / k));
                }
            }
        }

        return (dx, dGamma, dBeta);
    }

    private static void RunningUpdate(double[] runningMean, double[] runningVar, double[] batchMean, double[] batchVar, int m, double momentum) =>
        RunningUpdateWith(runningMean, runningVar, batchMean, batchVar, m, momentum, RunningBug.None);

    private static void RunningUpdateWith(double[] runningMean, double[] runningVar, double[] batchMean, double[] batchVar, int m, double momentum, RunningBug bug)
    {
        double w = bug switch
        {
            RunningBug.KerasMeaning => 1 - momentum,
            RunningBug.HardCodedMomentum => 0.1,
            _ => momentum,
        };
        if (bug == RunningBug.NewArrays)
        {
            runningMean = (double[])runningMean.Clone();
            runningVar = (double[])runningVar.Clone();
        }

        for (int j = 0; j < runningMean.Length; j++)
        {
            double newVariance = bug switch
            {
                RunningBug.Biased => batchVar[j],
                RunningBug.IntegerDivision => batchVar[j] * (m / (m - 1)),   // the planted bug: m / (m − 1) in int
                RunningBug.HardCodedBatchSize => batchVar[j] * 16 / 15,   // the planted bug: check E's batch of 16 written in
                _ => batchVar[j] * m / (m - 1),
            };
            runningMean[j] = ((1 - w) * runningMean[j]) + (w * batchMean[j]);
            runningVar[j] = ((1 - w) * runningVar[j]) + (w * newVariance);
        }
    }

    [Fact]
    public void Reference_solutions_pass()
    {
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckForwardTrain(ForwardTrain));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckFold(Fold));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckBackward(Backward));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckChannelBackward((dy, x, c, g, e) => ChannelBackwardWith(dy, x, c, g, e, ChannelBackwardBug.None)));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckRunningUpdate(RunningUpdate));
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckLayer(ForwardTrain, RunningUpdate, Fold));
    }

    [Fact]
    public void Unanswered_functions_are_not_answered()
    {
        Assert.Null(BatchNormAssignment.CheckForwardTrain((_, _, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckFold((_, _, _, _, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckBackward((_, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckChannelBackward((_, _, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckRunningUpdate((_, _, _, _, _, _) => throw new NotImplementedException()).Right);
        Assert.Null(BatchNormAssignment.CheckLayer((_, _, _, _, _) => throw new NotImplementedException(), RunningUpdate, Fold).Right);
    }

    public static TheoryData<string, string> PlantedBugs() => new()
    {
        { "forward divides by m − 1", "divides by m − 1" },
        { "forward without ε", "without ε" },
        { "forward without γ and β", "apply the scale γ and the shift β" },
        { "forward with ε = 1e-5 written in", "Your y uses ε = 1E-05 although the check passed eps = 0.001: use the eps argument" },
        { "forward with the one-pass variance E[x²] − E[x]²", "E[x²] − E[x]² subtracts two numbers of order 10¹²" },
        { "forward normalizes x in place", "Your forward wrote into its input x (normalized it in place)" },
        { "forward divides by σ + √ε", "You divided by σ_B + √ε: √(σ²_B + ε) is not σ_B + √ε" },
        { "forward accepts a batch of one", "A batch of one (N = 1, L = 1) has no variance" },
        { "forward computes 1 / m in int", "with int m, 1 / m is 0 in C# (integer division)" },
        { "forward with a mean and variance per column when L > 1", "One mean and one variance per channel: 3 each for this 4×3×5 batch; yours have 15 and 15" },
        { "forward divides the channel sums by N", "your channel means are 5 times too large — each channel has N·L = 20 values, not N" },
        { "forward refuses a single example with L = 4", "Your forward refused a single example with L = 4 positions" },
        { "fold leaves W unchanged", "W′ is W unchanged" },
        { "fold without γ in W′", "W′ normalizes but leaves out γ" },
        { "fold without ε", "W′ is right only without ε" },
        { "fold with ε = 1e-5 written in", "Your W′ is the fold for ε = 1E-05 although the check passed eps = 0.001: use the eps argument" },
        { "fold divides by √Var + √ε", "You divided by √(running variance) + √ε" },
        { "fold forgets the Linear's bias", "b′ leaves out the Linear's own bias b" },
        { "fold adds the Linear's bias unscaled", "b′ adds the Linear's bias b unchanged" },
        { "fold forgets β", "b′ leaves out β" },
        { "fold scales W in place", "Your fold wrote into the Linear's W or b" },
        { "fold changes the running variance", "Your fold changed γ, β or the running statistics it was given" },
        { "dγ summed over the features", "sum over the batch (axis 0" },
        { "dx ignores the mean and variance paths", "treats μ_B and σ²_B as constants" },
        { "dx ignores the mean path", "every column of dx must sum to 0" },
        { "dx ignores the variance path", "look at the path through σ²_B" },
        { "backward with ε = 1e-5 written in", "Your gradients are those for ε = 1E-05 although the check passed eps = 0.001" },
        { "per-channel dx with 1/N instead of 1/(N·L)", "your dx is the one for statistics averaged over N = 4 values, but each channel's μ_B and σ²_B average N·L = 20" },
        { "per-channel dx without the mean path", "dx must sum to 0 over each channel's N·L entries" },
        { "per-channel dx without the variance path", "although it sums to 0 over each channel (the μ_B path is there)" },
        { "per-channel dβ over the examples only", "dβ is off on a 4×3×5 batch at ε = 1E-05" },
        { "running variance biased", "your running variance blends in the biased σ²_B, as Keras's does" },
        { "momentum with Keras's meaning", "Your running mean follows Keras's convention with momentum 0.1" },
        { "momentum 0.1 written in", "Your update uses momentum 0.1 although the check passed momentum = 0.3: use the momentum argument" },
        { "m / (m − 1) in int", "m is an int, so m / (m − 1) is integer division (5 / 4 = 1 in C#)" },
        { "batch size 16 written in", "multiplies σ²_B by 1.06667 whatever the batch size (the check feeds batches of 5 and 12)" },
        { "running update assigns new arrays", "update them in place" },
        { "layer with a forward that normalizes x in place", "Your forward A wrote into its input x" },
        { "layer with a fold that changes the running variance", "Your fold B changed the running statistics" },
    };

    [Theory]
    [MemberData(nameof(PlantedBugs))]
    public void Each_planted_bug_fails_with_a_hint_that_points_at_it(string bug, string hint)
    {
        AssignmentVerdict verdict = bug switch
        {
            "forward divides by m − 1" => Train(ForwardBug.Unbiased),
            "forward without ε" => Train(ForwardBug.NoEpsilon),
            "forward without γ and β" => Train(ForwardBug.NoAffine),
            "forward with ε = 1e-5 written in" => Train(ForwardBug.HardCodedEpsilon),
            "forward with the one-pass variance E[x²] − E[x]²" => Train(ForwardBug.OnePassVariance),
            "forward normalizes x in place" => Train(ForwardBug.InPlace),
            "forward divides by σ + √ε" => Train(ForwardBug.SigmaPlusSqrtEpsilon),
            "forward accepts a batch of one" => Train(ForwardBug.AcceptsBatchOfOne),
            "forward computes 1 / m in int" => Train(ForwardBug.IntegerOneOverM),
            "forward with a mean and variance per column when L > 1" => Train(ForwardBug.IgnoresChannels),
            "forward divides the channel sums by N" => Train(ForwardBug.DividesByRows),
            "forward refuses a single example with L = 4" => Train(ForwardBug.GuardOnRows),
            "fold leaves W unchanged" => FoldCheck(FoldBug.WeightUnchanged),
            "fold without γ in W′" => FoldCheck(FoldBug.NoGamma),
            "fold without ε" => FoldCheck(FoldBug.NoEpsilon),
            "fold with ε = 1e-5 written in" => FoldCheck(FoldBug.HardCodedEpsilon),
            "fold divides by √Var + √ε" => FoldCheck(FoldBug.SigmaPlusSqrtEpsilon),
            "fold forgets the Linear's bias" => FoldCheck(FoldBug.NoLinearBias),
            "fold adds the Linear's bias unscaled" => FoldCheck(FoldBug.UnscaledLinearBias),
            "fold forgets β" => FoldCheck(FoldBug.NoBeta),
            "fold scales W in place" => FoldCheck(FoldBug.WritesIntoWeight),
            "fold changes the running variance" => FoldCheck(FoldBug.CachesStdInRunningVariance),
            "dγ summed over the features" => BackwardCheck(BackwardBug.GammaOverRows),
            "dx ignores the mean and variance paths" => BackwardCheck(BackwardBug.NaiveDx),
            "dx ignores the mean path" => BackwardCheck(BackwardBug.NoMeanPath),
            "dx ignores the variance path" => BackwardCheck(BackwardBug.NoVariancePath),
            "backward with ε = 1e-5 written in" => BackwardCheck(BackwardBug.HardCodedEpsilon),
            "per-channel dx with 1/N instead of 1/(N·L)" => Channel(ChannelBackwardBug.CountsOnlyExamples),
            "per-channel dx without the mean path" => Channel(ChannelBackwardBug.NoMeanPath),
            "per-channel dx without the variance path" => Channel(ChannelBackwardBug.NoVariancePath),
            "per-channel dβ over the examples only" => Channel(ChannelBackwardBug.DBetaOverExamplesOnly),
            "running variance biased" => Running(RunningBug.Biased),
            "momentum with Keras's meaning" => Running(RunningBug.KerasMeaning),
            "momentum 0.1 written in" => Running(RunningBug.HardCodedMomentum),
            "m / (m − 1) in int" => Running(RunningBug.IntegerDivision),
            "running update assigns new arrays" => Running(RunningBug.NewArrays),
            "batch size 16 written in" => Running(RunningBug.HardCodedBatchSize),
            "layer with a forward that normalizes x in place" => BatchNormAssignment.CheckLayer((x, c, g, b, e) => ForwardTrainWith(x, c, g, b, e, ForwardBug.InPlace), RunningUpdate, Fold),
            "layer with a fold that changes the running variance" => BatchNormAssignment.CheckLayer(ForwardTrain, RunningUpdate, (w, bi, g, b, rm, rv, e) => FoldWith(w, bi, g, b, rm, rv, e, FoldBug.CachesStdInRunningVariance)),
            _ => throw new ArgumentOutOfRangeException(nameof(bug), bug, null),
        };
        Assert.False(verdict.Right);
        Assert.Contains(hint, verdict.Hint, StringComparison.Ordinal);

        static AssignmentVerdict Train(ForwardBug b) => BatchNormAssignment.CheckForwardTrain((x, c, g, be, e) => ForwardTrainWith(x, c, g, be, e, b));
        static AssignmentVerdict FoldCheck(FoldBug b) => BatchNormAssignment.CheckFold((w, bi, g, be, rm, rv, e) => FoldWith(w, bi, g, be, rm, rv, e, b));
        static AssignmentVerdict BackwardCheck(BackwardBug b) => BatchNormAssignment.CheckBackward((dy, x, g, e) => BackwardWith(dy, x, g, e, b));
        static AssignmentVerdict Channel(ChannelBackwardBug b) => BatchNormAssignment.CheckChannelBackward((dy, x, c, g, e) => ChannelBackwardWith(dy, x, c, g, e, b));
        static AssignmentVerdict Running(RunningBug b) => BatchNormAssignment.CheckRunningUpdate((rm, rv, bm, bv, m, mo) => RunningUpdateWith(rm, rv, bm, bv, m, mo, b));
    }

    [Fact]
    public void The_one_pass_variance_passes_the_small_mean_batches_so_only_the_large_mean_batch_catches_it()
    {
        // The one-pass answer is exact enough on the first batches (means below 10): its failure is the large-mean case's.
        var x = BatchNormAssignment.SampleBatch();
        double[] gamma = [1.0, 1.0, 1.0, 1.0], beta = new double[4];
        var (_, _, right) = ForwardTrain(x, 4, gamma, beta, 1e-5);
        var (_, _, onePass) = ForwardTrainWith(x, 4, gamma, beta, 1e-5, ForwardBug.OnePassVariance);
        Assert.All(right.Zip(onePass), p => Assert.Equal(p.First, p.Second, 1e-12 * (1 + p.First)));
        var large = BatchNormAssignment.LargeMeanBatch();
        var (_, _, rightLarge) = ForwardTrain(large, 4, gamma, beta, 1e-5);
        var (_, _, onePassLarge) = ForwardTrainWith(large, 4, gamma, beta, 1e-5, ForwardBug.OnePassVariance);
        Assert.Contains(rightLarge.Zip(onePassLarge), p => Math.Abs(p.First - p.Second) > 1e-6 * p.First);
    }

    /// <summary>A student's finite difference of their own forward: L = Σ dy ⊙ y, perturbed entry by entry, with a
    /// centred (2-point), 5-point or 7-point stencil and step h — no library call, so only the numbers can reject it.</summary>
    private static (Matrix<double> Dx, double[] DGamma, double[] DBeta) FiniteDifferenceBackward(Matrix<double> dy, Matrix<double> x, double[] gamma, double eps, double h, int points)
    {
        int n = x.Cols;
        var (xc, gc, bc) = (x.Clone(), (double[])gamma.Clone(), new double[n]);
        double Loss()
        {
            var y = ForwardTrain(xc, n, gc, bc, eps).Y;
            double sum = 0;
            for (int k = 0; k < y.Data.Length; k++)
            {
                sum += y.Data[k] * dy.Data[k];
            }

            return sum;
        }

        double[] Derivative(double[] v)
        {
            var d = new double[v.Length];
            for (int k = 0; k < v.Length; k++)
            {
                double old = v[k];
                double At(double step)
                {
                    v[k] = old + step;
                    double l = Loss();
                    v[k] = old;
                    return l;
                }

                double c1 = At(h) - At(-h);
                d[k] = points switch
                {
                    2 => c1 / (2 * h),
                    5 => ((8 * c1) - (At(2 * h) - At(-2 * h))) / (12 * h),
                    _ => ((45 * c1) - (9 * (At(2 * h) - At(-2 * h))) + (At(3 * h) - At(-3 * h))) / (60 * h),
                };
            }

            return d;
        }

        return (new Matrix<double>(x.Rows, n, Derivative(xc.Data)), Derivative(gc), Derivative(bc));
    }

    /// <summary>The paper's unsimplified chain rule (∂ℓ/∂x̂, ∂ℓ/∂σ², ∂ℓ/∂μ, then the three paths): right, and
    /// numerically as good as the closed form.</summary>
    private static (Matrix<double> Dx, double[] DGamma, double[] DBeta) StagedBackward(Matrix<double> dy, Matrix<double> x, double[] gamma, double eps)
    {
        int m = x.Rows, n = x.Cols;
        var (_, mean, variance) = ForwardTrain(x, n, gamma, new double[n], eps);
        var dx = new Matrix<double>(m, n);
        double[] dGamma = new double[n], dBeta = new double[n];
        for (int j = 0; j < n; j++)
        {
            double s = Math.Sqrt(variance[j] + eps), dVar = 0, dMean = 0, sumCentered = 0;
            for (int i = 0; i < m; i++)
            {
                double dXHat = dy[i, j] * gamma[j];
                dBeta[j] += dy[i, j];
                dGamma[j] += dy[i, j] * (x[i, j] - mean[j]) / s;
                dVar += dXHat * (x[i, j] - mean[j]) * -0.5 * Math.Pow(variance[j] + eps, -1.5);
                dMean -= dXHat / s;
                sumCentered += -2 * (x[i, j] - mean[j]);
            }

            dMean += dVar * sumCentered / m;
            for (int i = 0; i < m; i++)
            {
                dx[i, j] = (dy[i, j] * gamma[j] / s) + (dVar * 2 * (x[i, j] - mean[j]) / m) + (dMean / m);
            }
        }

        return (dx, dGamma, dBeta);
    }

    [Fact]
    public void The_unsimplified_chain_rule_passes_too()
    {
        Assert.Equal(new AssignmentVerdict(true, null), BatchNormAssignment.CheckBackward(StagedBackward));
    }

    [Theory]
    [InlineData(2, 1e-5)]
    [InlineData(2, 1e-4)]
    [InlineData(5, 1e-3)]
    [InlineData(5, 2e-4)]
    [InlineData(7, 5e-4)]
    [InlineData(7, 1e-3)]
    public void A_finite_difference_of_the_students_own_forward_is_rejected_with_a_pointed_message(int points, double h)
    {
        var verdict = BatchNormAssignment.CheckBackward((dy, x, g, e) => FiniteDifferenceBackward(dy, x, g, e, h, points));
        Assert.False(verdict.Right);
        Assert.Contains("Differentiating your forward numerically is a gradient check, not a backward", verdict.Hint, StringComparison.Ordinal);
        Assert.Contains("pass the centred-difference check on the first batches", verdict.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void On_the_hard_batch_no_finite_difference_gets_within_ten_times_the_tolerance_while_both_closed_forms_are_100_times_inside()
    {
        // The margins the check relies on, over a grid of steps (1e-2 … 1e-6) and three stencils. The exact gradient is
        // computed here from the solution's closed form (not the library kernel the check uses).
        var (dy, x, gamma) = BatchNormAssignment.HardBackwardBatch();
        var exact = Backward(dy, x, gamma, 1e-5).Dx.Data;
        double Error(double[] dx) => GradientCheck.RelativeError(dx, exact).Error;
        Assert.True(Error(StagedBackward(dy, x, gamma, 1e-5).Dx.Data) < BatchNormAssignment.ExactBackwardTolerance / 10);
        double best = double.PositiveInfinity;
        foreach (int points in new[] { 2, 5, 7 })
        {
            foreach (double h in new[] { 1e-2, 5e-3, 2e-3, 1e-3, 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5, 1e-6 })
            {
                best = Math.Min(best, Error(FiniteDifferenceBackward(dy, x, gamma, 1e-5, h, points).Dx.Data));
            }
        }

        Assert.True(best > 100 * BatchNormAssignment.ExactBackwardTolerance, $"best finite difference {best:E1}");
    }

    public static TheoryData<string, string> LibraryAnswers() => new()
    {
        { "A with BatchNormKernels.ForwardTrain", "BatchNormKernels.ForwardTrain" },
        { "A with BatchNorm1d", "BatchNorm1d.new" },
        { "A through a helper of the student's", "BatchNormKernels.ForwardTrain (in LibraryForwardTrain)" },
        { "B with Linear.FoldBatchNorm", "Linear.FoldBatchNorm" },
        { "C with BatchNormKernels.BackwardClosedForm", "BatchNormKernels.BackwardClosedForm" },
        { "C with GradientCheck.Numerical", "GradientCheck.Numerical" },
        { "C2 with BatchNormKernels.BackwardClosedForm", "BatchNormKernels.BackwardClosedForm" },
        { "D with RunningStatistics.Update", "RunningStatistics.Update" },
        { "E with a library forward", "BatchNormKernels.ForwardTrain" },
        { "A through a layer of a network the library builds", "MultilayerPerceptron.Build" },
    };

    [Theory]
    [MemberData(nameof(LibraryAnswers))]
    public void An_answer_that_calls_the_librarys_batch_norm_is_rejected_and_told_so(string answer, string call)
    {
        AssignmentVerdict verdict = answer switch
        {
            "A with BatchNormKernels.ForwardTrain" => BatchNormAssignment.CheckForwardTrain(LibraryForwardTrain),
            "A with BatchNorm1d" => BatchNormAssignment.CheckForwardTrain((x, _, g, b, e) =>
            {
                var layer = new BatchNorm1d<double>(x.Cols, BatchNormConvention.PyTorch with { Epsilon = e });
                g.CopyTo(layer.Gamma.Value, 0);
                b.CopyTo(layer.Beta.Value, 0);
                var y = layer.Forward(x);
                return (y, layer.Saved!.Mean, layer.Saved.Variance);
            }),
            "A through a helper of the student's" => BatchNormAssignment.CheckForwardTrain((x, c, g, b, e) => Helper(x, c, g, b, e)),
            "B with Linear.FoldBatchNorm" => BatchNormAssignment.CheckFold((w, bi, g, b, rm, rv, e) =>
            {
                // No BatchNorm1d named here would still be caught; this answer builds both layers and folds with the library.
                var linear = new Linear<double>(w.Rows, w.Cols, new SeededRandom(0));
                w.Data.CopyTo(linear.Weight.Value, 0);
                bi.CopyTo(linear.Bias!.Value, 0);
                var norm = new BatchNorm1d<double>(w.Cols, BatchNormConvention.PyTorch.WithEpsilon(e));
                g.CopyTo(norm.Gamma.Value, 0);
                b.CopyTo(norm.Beta.Value, 0);
                rm.CopyTo(norm.Running.Mean, 0);
                rv.CopyTo(norm.Running.Variance, 0);
                var folded = linear.FoldBatchNorm(norm);
                return (folded.WeightMatrix.Clone(), (double[])folded.Bias!.Value.Clone());
            }),
            "C with BatchNormKernels.BackwardClosedForm" => BatchNormAssignment.CheckBackward((dy, x, g, e) =>
            {
                int n = x.Cols;
                double[] mean = new double[n], variance = new double[n], invStd = new double[n], dGamma = new double[n], dBeta = new double[n];
                BatchNormKernels.ForwardTrain(x.Data, x.Rows, g, new double[n], e, mean, variance, invStd, new double[x.Data.Length]);
                var dx = new Matrix<double>(x.Rows, n);
                BatchNormKernels.BackwardClosedForm(dy.Data, x.Data, x.Rows, g, mean, invStd, dx.Data, dGamma, dBeta);
                return (dx, dGamma, dBeta);
            }),
            "C with GradientCheck.Numerical" => BatchNormAssignment.CheckBackward((dy, x, g, e) =>
            {
                double[] b = new double[x.Cols];
                double Loss() => ForwardTrain(x, x.Cols, g, b, e).Y.Data.Zip(dy.Data, (p, q) => p * q).Sum();
                return (new Matrix<double>(x.Rows, x.Cols, GradientCheck.Numerical(Loss, x.Data)), GradientCheck.Numerical(Loss, g), GradientCheck.Numerical(Loss, b));
            }),
            "C2 with BatchNormKernels.BackwardClosedForm" => BatchNormAssignment.CheckChannelBackward((dy, x, c, g, e) =>
            {
                double[] mean = new double[c], variance = new double[c], invStd = new double[c], dGamma = new double[c], dBeta = new double[c];
                BatchNormKernels.ForwardTrain(x.Data, x.Rows, g, new double[c], e, mean, variance, invStd, new double[x.Data.Length]);
                var dx = new Matrix<double>(x.Rows, x.Cols);
                BatchNormKernels.BackwardClosedForm(dy.Data, x.Data, x.Rows, g, mean, invStd, dx.Data, dGamma, dBeta);
                return (dx, dGamma, dBeta);
            }),
            "D with RunningStatistics.Update" => BatchNormAssignment.CheckRunningUpdate((rm, rv, bm, bv, m, mo) =>
            {
                var statistics = new RunningStatistics<double>(rm.Length, BatchNormConvention.PyTorch with { Momentum = mo });
                rm.CopyTo(statistics.Mean, 0);
                rv.CopyTo(statistics.Variance, 0);
                statistics.Update(bm, bv, m);
                statistics.Mean.CopyTo(rm, 0);
                statistics.Variance.CopyTo(rv, 0);
            }),
            "E with a library forward" => BatchNormAssignment.CheckLayer(LibraryForwardTrain, RunningUpdate, Fold),
            "A through a layer of a network the library builds" => BatchNormAssignment.CheckForwardTrain((x, _, g, b, e) =>
            {
                // The builder makes the BatchNorm1d, so the answer never names it; the layer is then called as an ILayer.
                var net = MultilayerPerceptron.Build(x.Cols, [x.Cols], 1, () => new ReLU<double>(), k => new SeededRandom((ulong)k + 1), batchNorm: true);
                var y = net.Layers[1].Forward(x);
                return (y, new double[x.Cols], new double[x.Cols]);
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(answer), answer, null),
        };
        Assert.False(verdict.Right);
        Assert.StartsWith("Your code calls the library's ", verdict.Hint, StringComparison.Ordinal);
        Assert.Contains(call, verdict.Hint!.Split(':')[0], StringComparison.Ordinal);
        Assert.Contains("write batch norm yourself", verdict.Hint, StringComparison.Ordinal);

        static (Matrix<double> Y, double[] Mean, double[] Variance) Helper(Matrix<double> x, int c, double[] g, double[] b, double e) => LibraryForwardTrain(x, c, g, b, e);
    }

    [Fact]
    public void The_library_answers_would_pass_the_checks_without_the_inspection()
    {
        // Guards the test above: the library answers compute the right values (so only the inspection can reject
        // them), and the reference answers, which call nothing of the library's batch norm, are not flagged.
        var x = BatchNormAssignment.SampleBatch();
        double[] gamma = [0.5, 1.25, 2.0, 2.75], beta = [0.25, -0.25, -0.75, -1.25];
        var library = LibraryForwardTrain(x.Clone(), 4, gamma, beta, 1e-3);
        var mine = ForwardTrain(x.Clone(), 4, gamma, beta, 1e-3);
        Assert.All(library.Y.Data.Zip(mine.Y.Data), p => Assert.Equal(p.Second, p.First, 1e-12));
        Assert.True(BatchNormAssignment.CheckForwardTrain(ForwardTrain).Right);

        // The library's fold gives the loops' W′ and b′ on check B's layers.
        var (linear, norm) = BatchNormAssignment.FoldLayers(1e-3);
        var libraryFold = linear.FoldBatchNorm(norm);
        var (w, b) = Fold(linear.WeightMatrix.Clone(), linear.Bias!.Value, norm.Gamma.Value, norm.Beta.Value, norm.Running.Mean, norm.Running.Variance, 1e-3);
        Assert.All(libraryFold.Weight.Value.Zip(w.Data), p => Assert.Equal(p.Second, p.First, 1e-12));
        Assert.All(libraryFold.Bias!.Value.Zip(b), p => Assert.Equal(p.Second, p.First, 1e-12));
    }

    /// <summary>The library's kernel on an (N, C) batch (L = 1 only: enough for the inspection to have something to reject).</summary>
    private static (Matrix<double> Y, double[] Mean, double[] Variance) LibraryForwardTrain(Matrix<double> x, int channels, double[] gamma, double[] beta, double eps)
    {
        if (x.Rows < 2)
        {
            throw new ArgumentException("m < 2", nameof(x));
        }

        double[] mean = new double[x.Cols], variance = new double[x.Cols], invStd = new double[x.Cols];
        var y = new Matrix<double>(x.Rows, x.Cols);
        BatchNormKernels.ForwardTrain(x.Data, x.Rows, gamma, beta, eps, mean, variance, invStd, y.Data);
        return (y, mean, variance);
    }
}
