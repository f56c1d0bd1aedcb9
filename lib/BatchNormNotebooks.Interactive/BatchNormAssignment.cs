namespace BatchNormNotebooks.Interactive;

/// <summary>What a check of the batch-norm assignment found: right, wrong with a hint, or not answered (null).</summary>
/// <param name="Right">true, false, or null when the answer still throws <see cref="NotImplementedException"/>.</param>
/// <param name="Hint">For a wrong answer: what looks wrong (the typical mistakes are recognised by name).</param>
public sealed record AssignmentVerdict(bool? Right, string? Hint);

/// <summary>
/// Checks for notebooks/07-implement-batchnorm, where students write batch norm themselves (cs231n style): the
/// training-mode forward, the eval-mode forward, the closed-form backward, PyTorch's running-statistics update, and
/// the four together against <see cref="BatchNorm1d{T}"/>. Each check first reads the compiled answer
/// (<see cref="LibraryCalls"/>) and rejects one that calls the library's batch norm (<see cref="BatchNormKernels"/>,
/// <see cref="BatchNorm1d{T}"/>, <see cref="RunningStatistics{T}"/>, …). It then runs the student's function on
/// seeded inputs — with ε and momentum other than PyTorch's defaults as well as the defaults, a batch whose means are
/// about 10⁶, a batch of one — and compares it with the library's kernels (values it computes but never prints); the
/// backward also with a centred-difference gradient check (<see cref="GradientCheck.Numerical"/>) and then against the
/// exact closed form on a batch built against numerical differentiation (<see cref="HardBackwardBatch"/>), so a finite
/// difference of the student's own forward does not pass. It hands the
/// student copies of its inputs and compares them afterwards, so a function that writes into x or the running
/// statistics is caught. A wrong answer gets a hint that names the typical mistake when the output matches it.
/// </summary>
public static class BatchNormAssignment
{
    /// <summary>ε of the first run of every check (PyTorch's default).</summary>
    public const double Epsilon = 1e-5;

    /// <summary>ε of the second run (Keras's default), so an ε written into the code instead of the argument shows.</summary>
    public const double OtherEpsilon = 1e-3;

    /// <summary>Momentum of the first run of the running-statistics check (PyTorch's default, weight of the new value).</summary>
    public const double Momentum = 0.1;

    /// <summary>Momentum of the second run, so a 0.1 written into the code instead of the argument shows.</summary>
    public const double OtherMomentum = 0.3;

    /// <summary>The column means of <see cref="LargeMeanBatch"/>.</summary>
    public static readonly IReadOnlyList<double> LargeMeans = [1e6, -2e6, 5e5, 3e6];

    private const double Tolerance = 1e-9;
    private const double LargeMeanTolerance = 1e-7;

    /// <summary>Relative error the backward must reach against the exact closed form on <see cref="HardBackwardCase"/>'s
    /// batch: a closed form gets about 2e-11 there, the best finite difference of the forward (centred, 5- or 7-point, any
    /// step h) about 4e-7.</summary>
    public const double ExactBackwardTolerance = 1e-9;

    private static readonly Type[] BatchNormTypes =
        [typeof(BatchNormKernels), typeof(BatchNorm1d<>), typeof(RunningStatistics<>), typeof(NoisyBatchNorm<>), typeof(LayerNorm<>), typeof(Dataset<>),
         typeof(ILayer<>), typeof(Sequential<>), typeof(MultilayerPerceptron)];   // no layer of a network the library builds either

    // C asks for the closed form: autograd and numerical gradients are what the check compares it with.
    private static readonly Type[] BackwardTypes = [.. BatchNormTypes, typeof(GradientCheck), typeof(Value)];

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

    /// <summary>A seeded (8, 4) batch with column means of about <see cref="LargeMeans"/> and standard deviations of
    /// about 1–4: the one-pass variance E[x²] − E[x]² loses its digits here (x² ≈ 10¹²), the two-pass one does not.</summary>
    public static Matrix<double> LargeMeanBatch()
    {
        var x = SampleBatch(seed: 3, nearlyConstantColumn: false);
        for (int i = 0; i < x.Rows; i++)
        {
            for (int j = 0; j < x.Cols; j++)
            {
                x[i, j] += LargeMeans[j];
            }
        }

        return x;
    }

    /// <summary>
    /// Checks the training-mode forward: y, the batch mean and the biased batch variance (divide by m), at ε = 1e-5
    /// and 1e-3, on a batch with means of about 10⁶, and that a batch of one is refused with an
    /// <see cref="ArgumentException"/> (as <see cref="BatchNorm1d{T}"/> and PyTorch do).
    /// </summary>
    /// <param name="answer">(x, γ, β, ε) → (y (m, n), μ_B (n), σ²_B (n)); must not change x, γ or β.</param>
    public static AssignmentVerdict CheckForwardTrain(Func<Matrix<double>, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("A · forward in training mode", [answer], BatchNormTypes, () =>
            ForwardTrainCase(answer, SampleBatch(), Epsilon, largeMeans: false)
            ?? ForwardTrainCase(answer, SampleBatch(), OtherEpsilon, largeMeans: false)
            ?? ForwardTrainCase(answer, LargeMeanBatch(), Epsilon, largeMeans: true)
            ?? BatchOfOne(answer)
            ?? new(true, null));
    }

    /// <summary>Checks the eval-mode forward, y = γ·(x − running mean)/√(running var + ε) + β, at ε = 1e-5 and 1e-3,
    /// and that it leaves x and the running statistics as they were.</summary>
    /// <param name="answer">(x, γ, β, running mean, running variance, ε) → y (m, n).</param>
    public static AssignmentVerdict CheckForwardEval(Func<Matrix<double>, double[], double[], double[], double[], double, Matrix<double>> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("B · forward in eval mode", [answer], BatchNormTypes, () =>
            ForwardEvalCase(answer, Epsilon) ?? ForwardEvalCase(answer, OtherEpsilon) ?? new(true, null));
    }

    /// <summary>
    /// Checks the closed-form backward of the training-mode forward: dx, dγ, dβ for an upstream gradient dy, against
    /// a centred-difference gradient check of L = Σ dy ⊙ y (relative error ≤ 1e-7), at ε = 1e-5 and 1e-3; then against
    /// the exact closed form (<see cref="BatchNormKernels.BackwardClosedForm{T}(T[], T[], int, T[], T[], T[], T[], T[], T[])"/>)
    /// to <see cref="ExactBackwardTolerance"/> on a batch that defeats numerical differentiation
    /// (<see cref="HardBackwardBatch"/>), so a finite difference of the student's own forward is rejected.
    /// </summary>
    /// <param name="answer">(dy, x, γ, ε) → (dx (m, n), dγ (n), dβ (n)); recompute μ_B and σ²_B from x inside.</param>
    public static AssignmentVerdict CheckBackward(Func<Matrix<double>, Matrix<double>, double[], double, (Matrix<double> Dx, double[] DGamma, double[] DBeta)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("C · closed-form backward", [answer], BackwardTypes, () =>
            BackwardCase(answer, Epsilon) ?? BackwardCase(answer, OtherEpsilon) ?? HardBackwardCase(answer) ?? new(true, null));
    }

    /// <summary>
    /// Checks PyTorch's running-statistics update (momentum = weight of the NEW value; the running variance stores
    /// the unbiased m/(m−1)·σ²_B), over two batches from the initial (0, 1), with momentum 0.1 and 0.3.
    /// </summary>
    /// <param name="answer">(running mean, running variance, batch mean, biased batch variance, m, momentum) → updates the running arrays in place.</param>
    public static AssignmentVerdict CheckRunningUpdate(Action<double[], double[], double[], double[], int, double> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("D · running statistics (PyTorch)", [answer], BatchNormTypes, () =>
            RunningCase(answer, Momentum) ?? RunningCase(answer, OtherMomentum) ?? new(true, null));
    }

    /// <summary>
    /// The four answers as one layer against <see cref="BatchNorm1d{T}"/> in PyTorch's convention: ten training
    /// batches of 16 through the student's forward (A) and running update (D), then one eval-mode batch (B).
    /// </summary>
    public static AssignmentVerdict CheckLayer(
        Func<Matrix<double>, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> forwardTrain,
        Action<double[], double[], double[], double[], int, double> runningUpdate,
        Func<Matrix<double>, double[], double[], double[], double[], double, Matrix<double>> forwardEval)
    {
        ArgumentNullException.ThrowIfNull(forwardTrain);
        ArgumentNullException.ThrowIfNull(runningUpdate);
        ArgumentNullException.ThrowIfNull(forwardEval);
        return Run("E · your layer vs BatchNorm1d after 10 batches", [forwardTrain, runningUpdate, forwardEval], BatchNormTypes, () =>
        {
            double[] mean = new double[3], variance = [1.0, 1.0, 1.0], gamma = [1.5, 0.5, 2.0], beta = [0.1, -0.2, 0.3];
            var library = new BatchNorm1d<double>(3);
            gamma.CopyTo(library.Gamma.Value, 0);
            beta.CopyTo(library.Beta.Value, 0);
            for (int t = 0; t < 10; t++)
            {
                var batch = Matrix<double>.RandomNormal(16, 3, new SeededRandom((ulong)t), scale: 2.0);
                var copy = batch.Clone();
                var (_, batchMean, batchVariance) = forwardTrain(batch, gamma, beta, Epsilon);
                if (!Same(batch.Data, copy.Data))
                {
                    return new(false, "Your forward A wrote into its input x (normalized it in place), so the layer saw another batch than yours: fix A.");
                }

                runningUpdate(mean, variance, batchMean, batchVariance, 16, Momentum);
                library.Forward(batch);
            }

            var test = Matrix<double>.RandomNormal(4, 3, new SeededRandom(99));
            double[] meanBefore = (double[])mean.Clone(), varianceBefore = (double[])variance.Clone();
            var y = forwardEval(test, gamma, beta, mean, variance, Epsilon);
            if (!Same(mean, meanBefore) || !Same(variance, varianceBefore))
            {
                return new(false, "Your eval forward B changed the running statistics: fix B.");
            }

            library.Training = false;
            double gap = y.Data.Zip(library.Forward(test).Data, (p, q) => Math.Abs(p - q)).Max();
            return gap < Tolerance ? new(true, null) : new(false, $"max gap {gap:E1} to BatchNorm1d: check A, B and D again.");
        });
    }

    private static AssignmentVerdict? ForwardTrainCase(Func<Matrix<double>, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer, Matrix<double> x, double eps, bool largeMeans)
    {
        var (gamma, beta) = Affine(x.Cols);
        var reference = Reference(x, gamma, beta, eps);
        // Means of 10⁶ round the batch mean itself by up to about 10⁻⁹ in any summation order: compare to 10⁻⁷ there
        // (the one-pass variance E[x²] − E[x]² is off by far more: the tests measure it).
        double tolerance = largeMeans ? LargeMeanTolerance : Tolerance;
        var (xIn, gammaIn, betaIn) = (x.Clone(), (double[])gamma.Clone(), (double[])beta.Clone());
        var (y, mean, variance) = answer(xIn, gammaIn, betaIn, eps);
        if (!Same(xIn.Data, x.Data))
        {
            return new(false, "Your forward wrote into its input x (normalized it in place): the caller's batch is now x̂, so the backward (and the layer in E) see another x. Write x̂ and y into a new Matrix<double>(m, n) and leave x as it was.");
        }

        if (!Same(gammaIn, gamma) || !Same(betaIn, beta))
        {
            return new(false, "Your forward changed γ or β: the parameters are read here, only the optimizer writes them.");
        }

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

        if (Close(mean, reference.Mean, tolerance) && Close(variance, reference.Variance, tolerance) && Close(y.Data, reference.Y, tolerance))
        {
            return null;
        }

        if (largeMeans && Close(mean, reference.Mean, tolerance) && !Close(variance, reference.Variance, tolerance))
        {
            int j = Enumerable.Range(0, x.Cols).First(k => !Close([variance[k]], [reference.Variance[k]], tolerance));
            return new(false, $"Right on the earlier batches, but wrong on one whose column means are about 10⁶ (your σ²_B[{j}] = {variance[j]:G6} for a column of standard deviation about {1 + j}): E[x²] − E[x]² subtracts two numbers of order 10¹² that agree in almost all their digits (catastrophic cancellation). Compute μ_B first, then average (x − μ_B)².");
        }

        if (largeMeans)
        {
            return new(false, "Right on the earlier batches, but off on one whose column means are about 10⁶: compute μ_B first, then x − μ_B, and only then square or divide.");
        }

        if (Close(variance, Unbiased(reference.Variance, x.Rows)))
        {
            return new(false, "Your variance divides by m − 1: Algorithm 1 normalizes with the biased batch variance (divide by m).");
        }

        if (!Close(mean, reference.Mean))
        {
            return mean.All(v => v == 0)
                ? new(false, "Your batch mean is 0 in every column: with int m, 1 / m is 0 in C# (integer division). Divide the sum by m, or write 1.0 / m.")
                : new(false, "The batch mean is off: μ_B[j] is the average of column j over the m rows.");
        }

        if (Close(y.Data, reference.Y))
        {
            return new(false, "y is right, but return the biased batch variance σ²_B itself (not σ_B, not σ²_B + ε).");
        }

        foreach (double other in new[] { Epsilon, OtherEpsilon }.Where(e => e != eps))
        {
            if (Close(y.Data, Reference(x, gamma, beta, other).Y))
            {
                return new(false, $"Your y uses ε = {other:G2} although the check passed eps = {eps:G2}: use the eps argument, not a number written into the code.");
            }
        }

        if (Close(y.Data, Reference(x, gamma, beta, 0).Y))
        {
            return new(false, "y is right only without ε: divide by √(σ²_B + ε), not by σ_B (look at the nearly constant column 2).");
        }

        if (Close(y.Data, SlipForward(x, gamma, beta, reference.Mean, reference.Variance, eps)))
        {
            return new(false, "You divided by σ_B + √ε: √(σ²_B + ε) is not σ_B + √ε (square both: σ²_B + ε vs σ²_B + 2σ_B√ε + ε). Put ε inside the root, as in Algorithm 1.");
        }

        return Close(y.Data, Reference(x, Ones(x.Cols), new double[x.Cols], eps).Y)
            ? new(false, "x̂ is right, but y = γ·x̂ + β: apply the scale γ and the shift β.")
            : new(false, "y is off: x̂ = (x − μ_B)/√(σ²_B + ε), then y = γ·x̂ + β.");
    }

    private static AssignmentVerdict? BatchOfOne(Func<Matrix<double>, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer)
    {
        var x = SampleBatch(m: 1, nearlyConstantColumn: false);
        var (gamma, beta) = Affine(x.Cols);
        try
        {
            answer(x, gamma, beta, Epsilon);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (Exception e) when (e is not NotImplementedException)
        {
            return new(false, $"With a batch of one (m = 1) your forward threw {e.GetType().Name}: throw an ArgumentException that says why, as BatchNorm1d does.");
        }

        return new(false, "A batch of one (m = 1) has no variance: σ²_B = 0, so x̂ = 0 and y = β whatever x is, and the unbiased m/(m − 1) of task D divides by zero. Refuse it as PyTorch and BatchNorm1d do: throw an ArgumentException when x.Rows < 2.");
    }

    private static AssignmentVerdict? ForwardEvalCase(Func<Matrix<double>, double[], double[], double[], double[], double, Matrix<double>> answer, double eps)
    {
        var x = SampleBatch(seed: 11);
        var (gamma, beta) = Affine(x.Cols);
        double[] runningMean = [.. Enumerable.Range(0, x.Cols).Select(j => (3.0 * j) - 1.5)];
        double[] runningVariance = [.. Enumerable.Range(0, x.Cols).Select(j => 0.5 + j)];
        var expected = Eval(x, gamma, beta, runningMean, runningVariance, eps);
        var (xIn, meanIn, varianceIn) = (x.Clone(), (double[])runningMean.Clone(), (double[])runningVariance.Clone());
        var y = answer(xIn, (double[])gamma.Clone(), (double[])beta.Clone(), meanIn, varianceIn, eps);
        if (!Same(meanIn, runningMean) || !Same(varianceIn, runningVariance))
        {
            return new(false, "Your eval forward changed the running mean or variance it was given: eval mode only reads them (they change in training, task D). Keep intermediate values such as √(var + ε) in locals or a new array.");
        }

        if (!Same(xIn.Data, x.Data))
        {
            return new(false, "Your eval forward wrote into its input x: write y into a new Matrix<double>(m, n) and leave x as it was.");
        }

        if (y is null || y.Rows != x.Rows || y.Cols != x.Cols)
        {
            return new(false, $"y must have the shape of x, {x.Shape}.");
        }

        if (Close(y.Data, expected))
        {
            return null;
        }

        if (Close(y.Data, Reference(x, gamma, beta, eps).Y))
        {
            return new(false, "You normalized with the batch's own statistics: in eval mode use the running mean and variance, so one example's output does not depend on the rest of the batch.");
        }

        foreach (double other in new[] { Epsilon, OtherEpsilon }.Where(e => e != eps))
        {
            if (Close(y.Data, Eval(x, gamma, beta, runningMean, runningVariance, other)))
            {
                return new(false, $"Your y uses ε = {other:G2} although the check passed eps = {eps:G2}: use the eps argument, not a number written into the code.");
            }
        }

        if (Close(y.Data, Eval(x, gamma, beta, runningMean, runningVariance, 0)))
        {
            return new(false, "Almost: divide by √(running variance + ε), with ε.");
        }

        return Close(y.Data, SlipForward(x, gamma, beta, runningMean, runningVariance, eps))
            ? new(false, "You divided by √(running variance) + √ε: √(Var + ε) is not √Var + √ε. Put ε inside the root, as in Algorithm 2.")
            : new(false, "y = γ·(x − running mean)/√(running variance + ε) + β, feature by feature.");
    }

    private static AssignmentVerdict? BackwardCase(Func<Matrix<double>, Matrix<double>, double[], double, (Matrix<double> Dx, double[] DGamma, double[] DBeta)> answer, double eps)
    {
        var x = SampleBatch(m: 6, n: 3, seed: 5, nearlyConstantColumn: false);   // smooth enough for centred differences
        var (gamma, beta) = Affine(x.Cols);
        var dy = Matrix<double>.RandomNormal(x.Rows, x.Cols, new SeededRandom(13));
        var (dyIn, xIn, gammaIn) = (dy.Clone(), x.Clone(), (double[])gamma.Clone());
        var (dx, dGamma, dBeta) = answer(dyIn, xIn, gammaIn, eps);
        if (!Same(dyIn.Data, dy.Data) || !Same(xIn.Data, x.Data) || !Same(gammaIn, gamma))
        {
            return new(false, "Your backward wrote into one of its inputs (dy, x or γ): compute dx, dγ and dβ into new arrays and leave the inputs as they were.");
        }

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

        var numeric = Numerical(dy, x, gamma, beta, eps);
        if (Passes(dx, dGamma, dBeta, numeric))
        {
            return null;
        }

        foreach (double other in new[] { Epsilon, OtherEpsilon }.Where(e => e != eps))
        {
            if (Passes(dx, dGamma, dBeta, Numerical(dy, x, gamma, beta, other)))
            {
                return new(false, $"Your gradients are those for ε = {other:G2} although the check passed eps = {eps:G2}: use the eps argument, not a number written into the code.");
            }
        }

        if (GradientCheck.RelativeError(dBeta, numeric.DBeta).Error > 1e-7)
        {
            return new(false, "dβ is off: β is added to every row of its column, so dβ[j] collects dy from all m rows.");
        }

        if (GradientCheck.RelativeError(dGamma, numeric.DGamma).Error > 1e-7)
        {
            return new(false, "dγ is off: y = γ·x̂ + β uses γ_j in every row of column j, so dγ[j] collects dy·x̂ from all m rows.");
        }

        var reference = Reference(x, gamma, beta, eps);
        var naive = new double[x.Data.Length];
        for (int k = 0; k < naive.Length; k++)
        {
            naive[k] = dy.Data[k] * gamma[k % x.Cols] / Math.Sqrt(reference.Variance[k % x.Cols] + eps);
        }

        if (GradientCheck.RelativeError(dx.Data, naive).Error <= 1e-7)
        {
            return new(false, "Your dx is dy·γ/√(σ²_B + ε): it treats μ_B and σ²_B as constants, but both depend on every x of the column. Add the paths through μ_B and σ²_B (the hints above the cell).");
        }

        double[] columnSums = [.. Enumerable.Range(0, x.Cols).Select(j => dx.Column(j).Sum())];
        int worst = Array.IndexOf(columnSums, columnSums.MaxBy(Math.Abs));
        double error = GradientCheck.RelativeError(dx.Data, numeric.Dx).Error;
        return Math.Abs(columnSums[worst]) > 1e-9
            ? new(false, $"dx fails the gradient check (relative error {error:E1}). A test you can run yourself: adding a constant to a whole column of x changes no x̂, so every column of dx must sum to 0 — yours sums to {columnSums[worst]:G3} in column {worst}. Look at the path through μ_B.")
            : new(false, $"dx fails the gradient check (relative error {error:E1}), although its columns sum to 0 as they must (the μ_B path is there): look at the path through σ²_B and at the factors 1/m and 1/√(σ²_B + ε).");
    }

    /// <summary>
    /// The last backward case: x = <see cref="SampleBatch"/>(6, 4, seed 5) with its nearly constant column 2 (spread
    /// 1e-3, so the forward bends on a scale of √(σ² + ε) ≈ 3e-3 there), and an upstream gradient that is almost
    /// a_j + b_j·x̂ in every column — the directions batch norm's backward removes (up to ε) — plus 1e-4 of noise.
    /// The true dx is then about 10⁻⁴ of dy·γ/√(σ² + ε) in the smooth columns, while L = Σ dy ⊙ y is of order 10:
    /// a finite difference of L loses the difference in round-off for small h and in truncation for large h.
    /// </summary>
    public static (Matrix<double> Dy, Matrix<double> X, double[] Gamma) HardBackwardBatch()
    {
        var x = SampleBatch(m: 6, n: 4, seed: 5);
        var (gamma, _) = Affine(x.Cols);
        var reference = Reference(x, Ones(x.Cols), new double[x.Cols], Epsilon);   // y = x̂
        var noise = Matrix<double>.RandomNormal(x.Rows, x.Cols, new SeededRandom(13));
        var dy = new Matrix<double>(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            for (int j = 0; j < x.Cols; j++)
            {
                dy[i, j] = 1 + (0.5 * j) + ((2 - (0.7 * j)) * reference.Y[(i * x.Cols) + j]) + (1e-4 * noise[i, j]);
            }
        }

        return (dy, x, gamma);
    }

    private static AssignmentVerdict? HardBackwardCase(Func<Matrix<double>, Matrix<double>, double[], double, (Matrix<double> Dx, double[] DGamma, double[] DBeta)> answer)
    {
        var (dy, x, gamma) = HardBackwardBatch();
        var (dx, dGamma, dBeta) = answer(dy.Clone(), x.Clone(), (double[])gamma.Clone(), Epsilon);
        if (dx is null || dGamma is null || dBeta is null || dx.Data.Length != x.Data.Length || dGamma.Length != x.Cols || dBeta.Length != x.Cols)
        {
            return new(false, "Return dx (the shape of x), dγ and dβ (one entry per feature), as on the earlier batches.");
        }

        var exact = ExactBackward(dy, x, gamma, Epsilon);
        double error = new[]
        {
            GradientCheck.RelativeError(dx.Data, exact.Dx).Error, GradientCheck.RelativeError(dGamma, exact.DGamma).Error,
            GradientCheck.RelativeError(dBeta, exact.DBeta).Error,
        }.Max();
        return error <= ExactBackwardTolerance
            ? null
            : new(false, $"Your gradients pass the centred-difference check on the first batches (to 10⁻⁷), but miss the exact gradient by a relative error of {error:E1} (the closed form is within {ExactBackwardTolerance:E0}) on a batch built against numerical differentiation: its column 2 is nearly constant and its dy is almost a + b·x̂ in every column, which batch norm's backward removes, so the true dx is tiny and a finite difference of L = Σ dy ⊙ y cannot resolve it with any step h (round-off for small h, truncation for large h). Differentiating your forward numerically is a gradient check, not a backward: derive the closed form (the hints above the cell).");
    }

    private static (double[] Dx, double[] DGamma, double[] DBeta) ExactBackward(Matrix<double> dy, Matrix<double> x, double[] gamma, double eps)
    {
        int n = x.Cols;
        double[] mean = new double[n], variance = new double[n], invStd = new double[n], dGamma = new double[n], dBeta = new double[n];
        var dx = new double[x.Data.Length];
        BatchNormKernels.ForwardTrain(x.Data, x.Rows, gamma, new double[n], eps, mean, variance, invStd, new double[x.Data.Length]);
        BatchNormKernels.BackwardClosedForm(dy.Data, x.Data, x.Rows, gamma, mean, invStd, dx, dGamma, dBeta);
        return (dx, dGamma, dBeta);
    }

    private static AssignmentVerdict? RunningCase(Action<double[], double[], double[], double[], int, double> answer, double momentum)
    {
        const int m = 5;
        var (mean, variance) = StudentRunning(answer, m, momentum);
        var reference = LibraryRunning(BatchNormConvention.PyTorch with { Momentum = momentum }, m);
        if (Close(mean, reference.Mean) && Close(variance, reference.Variance))
        {
            return null;
        }

        if (mean.All(v => v == 0) && variance.All(v => v == 1))
        {
            return new(false, "The running arrays did not change: update them in place (runningMean[j] = …); assigning a new array to the parameter does not change the caller's.");
        }

        if (momentum != Momentum)
        {
            var hardCoded = LibraryRunning(BatchNormConvention.PyTorch, m);
            if (Close(mean, hardCoded.Mean))
            {
                return new(false, $"Your update uses momentum {Momentum} although the check passed momentum = {momentum}: use the momentum argument, not a number written into the code.");
            }
        }

        if (Close(mean, LibraryRunning(BatchNormConvention.Keras with { Momentum = momentum }, m).Mean))
        {
            return new(false, $"In PyTorch momentum ({momentum}) is the weight of the NEW value: r ← (1 − momentum)·r + momentum·μ_B (Keras's 0.99 weighs the old one).");
        }

        if (Close(mean, reference.Mean) && Close(variance, LibraryRunning(BatchNormConvention.PyTorch with { Momentum = momentum, UnbiasedRunningVariance = false }, m).Variance))
        {
            // m/(m − 1) in int arithmetic is 1 for every m ≥ 3, and exact (2) for m = 2: right at m = 2 means integer division.
            var (_, atTwo) = StudentRunning(answer, 2, momentum);
            return Close(atTwo, LibraryRunning(BatchNormConvention.PyTorch with { Momentum = momentum }, 2).Variance)
                ? new(false, $"Your running variance is right for m = 2 but unchanged by m/(m − 1) for m = {m}: m is an int, so m / (m − 1) is integer division ({m} / {m - 1} = {m / (m - 1)} in C#). Write m / (m - 1.0), or multiply σ²_B by m before dividing by m − 1.")
                : new(false, "The mean is right; PyTorch's running variance stores the unbiased m/(m−1)·σ²_B, not the biased σ²_B.");
        }

        return new(false, "r ← (1 − momentum)·r + momentum·(new value), for the mean and for m/(m−1)·σ²_B.");
    }

    private static (double[] Mean, double[] Variance) StudentRunning(Action<double[], double[], double[], double[], int, double> answer, int m, double momentum)
    {
        double[] mean = [0, 0, 0], variance = [1, 1, 1];
        for (int t = 0; t < 2; t++)
        {
            answer(mean, variance, (double[])RunningMeans[t].Clone(), (double[])RunningVariances[t].Clone(), m, momentum);
        }

        return (mean, variance);
    }

    private static RunningStatistics<double> LibraryRunning(BatchNormConvention convention, int m)
    {
        var statistics = new RunningStatistics<double>(3, convention);
        for (int t = 0; t < 2; t++)
        {
            statistics.Update(RunningMeans[t], RunningVariances[t], m);
        }

        return statistics;
    }

    private static readonly double[][] RunningMeans = [[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
    private static readonly double[][] RunningVariances = [[4.0, 0.25, 1.0], [2.0, 9.0, 0.5]];

    private static (double[] Dx, double[] DGamma, double[] DBeta) Numerical(Matrix<double> dy, Matrix<double> x, double[] gamma, double[] beta, double eps)
    {
        var (xc, gc, bc) = (x.Clone(), (double[])gamma.Clone(), (double[])beta.Clone());
        double Loss() => Reference(xc, gc, bc, eps).Y.Zip(dy.Data, (a, b) => a * b).Sum();
        return (GradientCheck.Numerical(Loss, xc.Data), GradientCheck.Numerical(Loss, gc), GradientCheck.Numerical(Loss, bc));
    }

    private static bool Passes(Matrix<double> dx, double[] dGamma, double[] dBeta, (double[] Dx, double[] DGamma, double[] DBeta) numeric) =>
        GradientCheck.RelativeError(dGamma, numeric.DGamma).Error <= 1e-7
        && GradientCheck.RelativeError(dBeta, numeric.DBeta).Error <= 1e-7
        && GradientCheck.RelativeError(dx.Data, numeric.Dx).Error <= 1e-7;

    private static AssignmentVerdict Run(string name, Delegate[] answers, Type[] forbidden, Func<AssignmentVerdict> check)
    {
        AssignmentVerdict verdict;
        var calls = LibraryCalls.Find(answers, forbidden);
        if (calls.Count > 0)
        {
            verdict = new(false, $"Your code calls the library's {string.Join(", ", calls)}: this exercise is to write batch norm yourself, from the equations above — loops over x[i, j], Math.Sqrt and new arrays are all it takes. (The check reads the compiled code of your function and of everything of yours it calls.)");
        }
        else
        {
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

    private static double[] Eval(Matrix<double> x, double[] gamma, double[] beta, double[] runningMean, double[] runningVariance, double epsilon)
    {
        var y = new double[x.Data.Length];
        BatchNormKernels.ForwardEval(x.Data, x.Rows, gamma, beta, runningMean, runningVariance, epsilon == 0 ? 1e-300 : epsilon, y);
        return y;
    }

    /// <summary>The lecture board's slip: γ·(x − μ)/(√σ² + √ε) + β (not an identity).</summary>
    private static double[] SlipForward(Matrix<double> x, double[] gamma, double[] beta, double[] mean, double[] variance, double epsilon)
    {
        var y = new double[x.Data.Length];
        for (int k = 0; k < y.Length; k++)
        {
            int j = k % x.Cols;
            y[k] = (gamma[j] * (x.Data[k] - mean[j]) / (Math.Sqrt(variance[j]) + Math.Sqrt(epsilon))) + beta[j];
        }

        return y;
    }

    private static (double[] Gamma, double[] Beta) Affine(int n) =>
        ([.. Enumerable.Range(0, n).Select(j => 0.5 + (0.75 * j))], [.. Enumerable.Range(0, n).Select(j => 0.25 - (0.5 * j))]);

    private static double[] Ones(int n) => [.. Enumerable.Repeat(1.0, n)];

    private static double[] Unbiased(double[] variance, int m) => [.. variance.Select(v => v * m / (m - 1))];

    private static bool Same(double[] a, double[] b) => a.AsSpan().SequenceEqual(b);

    private static bool Close(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double tolerance = Tolerance)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!(Math.Abs(a[i] - b[i]) <= tolerance * (1 + Math.Abs(b[i]))))
            {
                return false;
            }
        }

        return true;
    }
}
