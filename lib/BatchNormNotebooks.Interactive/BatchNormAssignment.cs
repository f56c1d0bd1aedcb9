namespace BatchNormNotebooks.Interactive;

/// <summary>What a check of the batch-norm assignment found: right, wrong with a hint, or not answered (null).</summary>
/// <param name="Right">true, false, or null when the answer still throws <see cref="NotImplementedException"/>.</param>
/// <param name="Hint">For a wrong answer: what looks wrong (the typical mistakes are recognised by name).</param>
public sealed record AssignmentVerdict(bool? Right, string? Hint);

/// <summary>
/// Checks for notebooks/07-implement-batchnorm, where students write batch norm themselves (cs231n style): the
/// training-mode forward, the eval-mode forward, the closed-form backward and PyTorch's running-statistics update.
/// Each check runs the student's function on seeded inputs and compares it with the library's kernels
/// (<see cref="BatchNormKernels"/>, <see cref="RunningStatistics{T}"/>) — values it computes but never prints — and the
/// backward also with a centred-difference gradient check (<see cref="GradientCheck.Numerical"/>). A wrong answer gets
/// a hint that names the typical mistake when the output matches it: m−1 instead of m, a missing ε, the batch's
/// statistics in eval mode, dγ summed over the wrong axis, the mean and variance paths left out of dx, the biased
/// running variance, or Keras's meaning of momentum.
/// </summary>
public static class BatchNormAssignment
{
    /// <summary>ε used by every check (PyTorch's default).</summary>
    public const double Epsilon = 1e-5;

    private const double Tolerance = 1e-9;

    /// <summary>A seeded (m, n) batch whose columns have different means and scales; with
    /// <paramref name="nearlyConstantColumn"/>, column 2 has a spread of 1e-3, so a missing ε shows.</summary>
    public static Matrix<double> SampleBatch(int m = 8, int n = 4, ulong seed = 7, bool nearlyConstantColumn = true)
    {
        var random = new SeededRandom(seed);
        var x = new Matrix<double>(m, n);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double scale = j == 2 && nearlyConstantColumn ? 1e-3 : 1 + j;
                x[i, j] = (3.0 * j) - 2 + (scale * random.NextNormal(0, 1));
            }
        }

        return x;
    }

    /// <summary>Checks the training-mode forward: y, the batch mean and the biased batch variance (divide by m).</summary>
    /// <param name="answer">(x, γ, β, ε) → (y (m, n), μ_B (n), σ²_B (n)).</param>
    public static AssignmentVerdict CheckForwardTrain(Func<Matrix<double>, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var x = SampleBatch();
        var (gamma, beta) = Affine(x.Cols);
        var reference = Reference(x, gamma, beta, Epsilon);
        return Run("A · forward in training mode", () =>
        {
            var (y, mean, variance) = answer(x.Clone(), (double[])gamma.Clone(), (double[])beta.Clone(), Epsilon);
            if (y is null || mean is null || variance is null)
            {
                return new(false, "Return all three: y, the batch mean and the batch variance.");
            }

            if (y.Rows != x.Rows || y.Cols != x.Cols)
            {
                return new(false, $"y must have the shape of x, {x.Shape}; yours is {y.Shape}.");
            }

            if (mean.Length != x.Cols || variance.Length != x.Cols)
            {
                return new(false, $"One mean and one variance per feature (column): {x.Cols} each; yours have {mean.Length} and {variance.Length}. Average over the batch (rows), not over the features.");
            }

            if (Close(mean, reference.Mean) && Close(variance, reference.Variance) && Close(y.Data, reference.Y))
            {
                return new(true, null);
            }

            if (Close(variance, Unbiased(reference.Variance, x.Rows)))
            {
                return new(false, "Your variance divides by m − 1: Algorithm 1 normalizes with the biased batch variance (divide by m).");
            }

            if (!Close(mean, reference.Mean))
            {
                return new(false, "The batch mean is off: μ_B[j] is the average of column j over the m rows.");
            }

            if (Close(y.Data, Reference(x, gamma, beta, 0).Y))
            {
                return new(false, "y is right only without ε: divide by √(σ²_B + ε), not by σ_B (look at the nearly constant column 2).");
            }

            return Close(y.Data, Reference(x, Ones(x.Cols), new double[x.Cols], Epsilon).Y)
                ? new(false, "x̂ is right, but y = γ·x̂ + β: apply the scale γ and the shift β.")
                : new(false, "y is off: x̂ = (x − μ_B)/√(σ²_B + ε), then y = γ·x̂ + β.");
        });
    }

    /// <summary>Checks the eval-mode forward: y = γ·(x − running mean)/√(running var + ε) + β.</summary>
    /// <param name="answer">(x, γ, β, running mean, running variance, ε) → y (m, n).</param>
    public static AssignmentVerdict CheckForwardEval(Func<Matrix<double>, double[], double[], double[], double[], double, Matrix<double>> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var x = SampleBatch(seed: 11);
        var (gamma, beta) = Affine(x.Cols);
        double[] runningMean = [.. Enumerable.Range(0, x.Cols).Select(j => (3.0 * j) - 1.5)];
        double[] runningVariance = [.. Enumerable.Range(0, x.Cols).Select(j => 0.5 + j)];
        var expected = new double[x.Data.Length];
        BatchNormKernels.ForwardEval(x.Data, x.Rows, gamma, beta, runningMean, runningVariance, Epsilon, expected);
        return Run("B · forward in eval mode", () =>
        {
            var y = answer(x.Clone(), (double[])gamma.Clone(), (double[])beta.Clone(), (double[])runningMean.Clone(), (double[])runningVariance.Clone(), Epsilon);
            if (y is null || y.Rows != x.Rows || y.Cols != x.Cols)
            {
                return new(false, $"y must have the shape of x, {x.Shape}.");
            }

            if (Close(y.Data, expected))
            {
                return new(true, null);
            }

            if (Close(y.Data, Reference(x, gamma, beta, Epsilon).Y))
            {
                return new(false, "You normalized with the batch's own statistics: in eval mode use the running mean and variance, so one example's output does not depend on the rest of the batch.");
            }

            var noEps = new double[x.Data.Length];
            BatchNormKernels.ForwardEval(x.Data, x.Rows, gamma, beta, runningMean, runningVariance, 1e-300, noEps);
            return Close(y.Data, noEps)
                ? new(false, "Almost: divide by √(running variance + ε), with ε.")
                : new(false, "y = γ·(x − running mean)/√(running variance + ε) + β, feature by feature.");
        });
    }

    /// <summary>
    /// Checks the closed-form backward of the training-mode forward: dx, dγ, dβ for an upstream gradient dy, against
    /// a centred-difference gradient check of L = Σ dy ⊙ y (relative error ≤ 1e-7) and the library's closed form.
    /// </summary>
    /// <param name="answer">(dy, x, γ, ε) → (dx (m, n), dγ (n), dβ (n)); recompute μ_B and σ²_B from x inside.</param>
    public static AssignmentVerdict CheckBackward(Func<Matrix<double>, Matrix<double>, double[], double, (Matrix<double> Dx, double[] DGamma, double[] DBeta)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var x = SampleBatch(m: 6, n: 3, seed: 5, nearlyConstantColumn: false);   // smooth enough for centred differences
        var (gamma, beta) = Affine(x.Cols);
        var dy = Matrix<double>.RandomNormal(x.Rows, x.Cols, new SeededRandom(13));
        double Loss() => Reference(x, gamma, beta, Epsilon).Y.Zip(dy.Data, (a, b) => a * b).Sum();
        double[] numericDx = GradientCheck.Numerical(Loss, x.Data);
        double[] numericDGamma = GradientCheck.Numerical(Loss, gamma);
        double[] numericDBeta = GradientCheck.Numerical(Loss, beta);
        return Run("C · closed-form backward", () =>
        {
            var (dx, dGamma, dBeta) = answer(dy.Clone(), x.Clone(), (double[])gamma.Clone(), Epsilon);
            if (dx is null || dGamma is null || dBeta is null)
            {
                return new(false, "Return all three: dx, dγ and dβ.");
            }

            if (dx.Rows != x.Rows || dx.Cols != x.Cols)
            {
                return new(false, $"dx must have the shape of x, {x.Shape}; yours is {dx.Shape}.");
            }

            if (dGamma.Length != x.Cols || dBeta.Length != x.Cols)
            {
                return new(false, $"dγ and dβ have one entry per feature ({x.Cols}); yours have {dGamma.Length} and {dBeta.Length}: sum over the batch (axis 0, the rows), not over the features.");
            }

            bool gammaOk = GradientCheck.RelativeError(dGamma, numericDGamma).Error <= 1e-7;
            bool betaOk = GradientCheck.RelativeError(dBeta, numericDBeta).Error <= 1e-7;
            bool dxOk = GradientCheck.RelativeError(dx.Data, numericDx).Error <= 1e-7;
            if (gammaOk && betaOk && dxOk)
            {
                return new(true, null);
            }

            if (!betaOk)
            {
                return new(false, "dβ is off: β is added to every row, so dβ[j] = Σ_i dy[i, j].");
            }

            if (!gammaOk)
            {
                return new(false, "dγ is off: dγ[j] = Σ_i dy[i, j]·x̂[i, j], summed over the batch.");
            }

            var naive = new double[x.Data.Length];
            var reference = Reference(x, gamma, beta, Epsilon);
            for (int k = 0; k < naive.Length; k++)
            {
                int j = k % x.Cols;
                naive[k] = dy.Data[k] * gamma[j] / Math.Sqrt(reference.Variance[j] + Epsilon);
            }

            return GradientCheck.RelativeError(dx.Data, naive).Error <= 1e-7
                ? new(false, "dx = dy·γ/σ treats μ_B and σ²_B as constants, but they depend on x: subtract the batch means of dx̂ and of dx̂·x̂ (the closed form).")
                : new(false, "dx fails the gradient check: dx = (1/m)·(γ/√(σ²+ε))·(m·dy − Σdy − x̂·Σ(dy·x̂)), per feature.");
        });
    }

    /// <summary>
    /// Checks PyTorch's running-statistics update (momentum = weight of the NEW value, 0.1; the running variance stores
    /// the unbiased m/(m−1)·σ²_B), over two batches from the initial (0, 1).
    /// </summary>
    /// <param name="answer">(running mean, running variance, batch mean, biased batch variance, m, momentum) → updates the running arrays in place.</param>
    public static AssignmentVerdict CheckRunningUpdate(Action<double[], double[], double[], double[], int, double> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        double[][] means = [[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        double[][] variances = [[4.0, 0.25, 1.0], [2.0, 9.0, 0.5]];
        const int m = 5;
        var reference = new RunningStatistics<double>(3, BatchNormConvention.PyTorch);
        return Run("D · running statistics (PyTorch)", () =>
        {
            double[] mean = [0, 0, 0], variance = [1, 1, 1];
            for (int t = 0; t < 2; t++)
            {
                answer(mean, variance, (double[])means[t].Clone(), (double[])variances[t].Clone(), m, BatchNormConvention.PyTorch.Momentum);
                reference.Update(means[t], variances[t], m);
            }

            if (Close(mean, reference.Mean) && Close(variance, reference.Variance))
            {
                return new(true, null);
            }

            var biased = new RunningStatistics<double>(3, BatchNormConvention.PyTorch with { UnbiasedRunningVariance = false });
            var keras = new RunningStatistics<double>(3, BatchNormConvention.Keras with { Momentum = 0.1 });
            for (int t = 0; t < 2; t++)
            {
                biased.Update(means[t], variances[t], m);
                keras.Update(means[t], variances[t], m);
            }

            if (Close(mean, keras.Mean))
            {
                return new(false, "In PyTorch momentum 0.1 is the weight of the NEW value: r ← (1 − 0.1)·r + 0.1·μ_B (Keras's 0.99 weighs the old one).");
            }

            if (Close(mean, reference.Mean) && Close(variance, biased.Variance))
            {
                return new(false, "The mean is right; PyTorch's running variance stores the unbiased m/(m−1)·σ²_B, not the biased σ²_B.");
            }

            return new(false, "r ← (1 − momentum)·r + momentum·(new value), for the mean and for m/(m−1)·σ²_B.");
        });
    }

    private static AssignmentVerdict Run(string name, Func<AssignmentVerdict> check)
    {
        AssignmentVerdict verdict;
        try
        {
            verdict = check();
        }
        catch (NotImplementedException)
        {
            verdict = new(null, null);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException or NullReferenceException or ArithmeticException)
        {
            verdict = new(false, $"Your code threw {e.GetType().Name}: {e.Message}");
        }

        Exercise.Report(name, verdict.Right, verdict.Hint);
        return verdict;
    }

    private static (double[] Y, double[] Mean, double[] Variance) Reference(Matrix<double> x, double[] gamma, double[] beta, double epsilon)
    {
        var y = new double[x.Data.Length];
        var mean = new double[x.Cols];
        var variance = new double[x.Cols];
        var invStd = new double[x.Cols];
        BatchNormKernels.ForwardTrain(x.Data, x.Rows, gamma, beta, epsilon == 0 ? 1e-300 : epsilon, mean, variance, invStd, y);
        return (y, mean, variance);
    }

    private static (double[] Gamma, double[] Beta) Affine(int n) =>
        ([.. Enumerable.Range(0, n).Select(j => 0.5 + (0.75 * j))], [.. Enumerable.Range(0, n).Select(j => 0.25 - (0.5 * j))]);

    private static double[] Ones(int n) => [.. Enumerable.Repeat(1.0, n)];

    private static double[] Unbiased(double[] variance, int m) => [.. variance.Select(v => v * m / (m - 1))];

    private static bool Close(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!(Math.Abs(a[i] - b[i]) <= Tolerance * (1 + Math.Abs(b[i]))))
            {
                return false;
            }
        }

        return true;
    }
}
