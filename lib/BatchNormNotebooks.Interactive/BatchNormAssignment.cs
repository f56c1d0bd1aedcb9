namespace BatchNormNotebooks.Interactive;

/// <summary>What a check of the batch-norm assignment found: right, wrong with a hint, or not answered (null).</summary>
/// <param name="Right">true, false, or null when the answer still throws <see cref="NotImplementedException"/>.</param>
/// <param name="Hint">For a wrong answer: what looks wrong (the typical mistakes are recognised by name).</param>
public sealed record AssignmentVerdict(bool? Right, string? Hint);

/// <summary>
/// Checks for notebooks/07-implement-batchnorm, where students write batch norm themselves (cs231n style): the
/// training-mode forward with per-channel statistics of an (N, C, L) batch, eval mode folded into the Linear before it,
/// the backward (for (m, n), and per channel against a hidden reference), PyTorch's running-statistics update (given
/// Keras's), and forward, update and fold together against <see cref="Linear{T}"/> → <see cref="BatchNorm1d{T}"/>.
/// Each check first reads the compiled answer
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

    // B asks for the fold that Linear.FoldBatchNorm computes.
    private static readonly Type[] FoldTypes = [.. BatchNormTypes, typeof(Linear<>)];

    // C asks for a derived backward: autograd and numerical gradients are what the check compares it with.
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
    /// Checks the training-mode forward with per-channel statistics, as PyTorch's BatchNorm1d takes an (N, C, L) input:
    /// x is an (N, C·L) matrix (row i holds channel 0's L values, then channel 1's, …: the memory layout of an (N, C, L)
    /// tensor), and each channel is normalized over its N·L values. It checks y, the batch mean and the biased batch
    /// variance (divide by N·L) on (N, C) batches (L = 1) at ε = 1e-5 and 1e-3, on an (N, C, L) batch
    /// (<see cref="ChannelBatch"/>), on a batch with means of about 10⁶, that a batch of one (N = L = 1) is refused
    /// with an <see cref="ArgumentException"/> (as PyTorch does), and that a single example with L = 4 (four values per
    /// channel, which PyTorch normalizes) is not.
    /// </summary>
    /// <param name="answer">(x (N, C·L), C, γ (C), β (C), ε) → (y (N, C·L), μ_B (C), σ²_B (C)); must not change x, γ or β.</param>
    public static AssignmentVerdict CheckForwardTrain(Func<Matrix<double>, int, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("A · forward in training mode", [answer], BatchNormTypes, () =>
            ForwardTrainCase(answer, SampleBatch(), 4, Epsilon, largeMeans: false)
            ?? ForwardTrainCase(answer, SampleBatch(), 4, OtherEpsilon, largeMeans: false)
            ?? ForwardTrainCase(answer, ChannelBatch(), 3, Epsilon, largeMeans: false)
            ?? ForwardTrainCase(answer, LargeMeanBatch(), 4, Epsilon, largeMeans: true)
            ?? BatchOfOne(answer)
            ?? SingleExample(answer)
            ?? new(true, null));
    }

    /// <summary>
    /// Checks the fold of an eval-mode batch norm into the Linear before it: the student's (W′, b′) must give, on a
    /// seeded batch, what the library's <see cref="Linear{T}"/> (W (in, out), y = x·W + b) followed by
    /// <see cref="BatchNorm1d{T}"/> in eval mode gives, at ε = 1e-5 and 1e-3. The inputs make the usual wrong folds
    /// fail: in ≠ out, a Linear bias, running means, γ ≠ 1 (one negative), β ≠ 0, and a running variance of 2·10⁻⁵
    /// next to ε. The student's W, b and statistics must come back unchanged.
    /// </summary>
    /// <param name="answer">(W (in, out), b (out), γ, β, running mean, running variance (out each), ε) → (W′ (in, out), b′ (out)).</param>
    public static AssignmentVerdict CheckFold(Func<Matrix<double>, double[], double[], double[], double[], double[], double, (Matrix<double> Weight, double[] Bias)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("B · eval-mode batch norm folded into the Linear", [answer], FoldTypes, () =>
            FoldCase(answer, Epsilon) ?? FoldCase(answer, OtherEpsilon) ?? new(true, null));
    }

    /// <summary>
    /// Checks the backward of the training-mode forward (any exact form: the paper's staged chain rule or a simplified one): dx, dγ, dβ for an upstream gradient dy, against
    /// a centred-difference gradient check of L = Σ dy ⊙ y (relative error ≤ 1e-7), at ε = 1e-5 and 1e-3; then against
    /// the exact closed form (<see cref="BatchNormKernels.BackwardClosedForm{T}(T[], T[], int, T[], T[], T[], T[], T[], T[])"/>)
    /// to <see cref="ExactBackwardTolerance"/> on a batch that defeats numerical differentiation
    /// (<see cref="HardBackwardBatch"/>), so a finite difference of the student's own forward is rejected.
    /// </summary>
    /// <param name="answer">(dy, x, γ, ε) → (dx (m, n), dγ (n), dβ (n)); recompute μ_B and σ²_B from x inside.</param>
    public static AssignmentVerdict CheckBackward(Func<Matrix<double>, Matrix<double>, double[], double, (Matrix<double> Dx, double[] DGamma, double[] DBeta)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("C · backward", [answer], BackwardTypes, () =>
            BackwardCase(answer, Epsilon) ?? BackwardCase(answer, OtherEpsilon) ?? HardBackwardCase(answer) ?? new(true, null));
    }

    /// <summary>
    /// Checks the backward of task A's per-channel forward (x and dy of shape (N, C·L) in the (N, C, L) layout): dx, dγ
    /// and dβ against a reference it does not show (the library's closed form on the (N·L, C) repacking), on a (4, 3, 5)
    /// and a (2, 2, 3) batch at ε = 1e-5 and 1e-3. The paper prints the chain rule for one activation (§3) only.
    /// </summary>
    /// <param name="answer">(dy, x, C, γ, ε) → (dx (N, C·L), dγ (C), dβ (C)).</param>
    public static AssignmentVerdict CheckChannelBackward(Func<Matrix<double>, Matrix<double>, int, double[], double, (Matrix<double> Dx, double[] DGamma, double[] DBeta)> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("C2 · backward per channel", [answer], BackwardTypes, () =>
            ChannelBackwardCase(answer, ChannelBatch(), 3, Epsilon)
            ?? ChannelBackwardCase(answer, Matrix<double>.RandomNormal(2, 6, new SeededRandom(37), scale: 1.5), 2, OtherEpsilon)
            ?? new(true, null));
    }

    private static AssignmentVerdict? ChannelBackwardCase(Func<Matrix<double>, Matrix<double>, int, double[], double, (Matrix<double> Dx, double[] DGamma, double[] DBeta)> answer, Matrix<double> x, int channels, double eps)
    {
        int positions = x.Cols / channels;
        var (gamma, _) = Affine(channels);
        var dy = Matrix<double>.RandomNormal(x.Rows, x.Cols, new SeededRandom(41));
        var (dyIn, xIn, gammaIn) = (dy.Clone(), x.Clone(), (double[])gamma.Clone());
        var (dx, dGamma, dBeta) = answer(dyIn, xIn, channels, gammaIn, eps);
        if (!Same(dyIn.Data, dy.Data) || !Same(xIn.Data, x.Data) || !Same(gammaIn, gamma))
        {
            return new(false, "Your backward wrote into one of its inputs (dy, x or γ): compute dx, dγ and dβ into new arrays and leave the inputs as they were.");
        }

        if (MissingOrMisshaped("dx, dγ and dβ", dx, "dx", x, dGamma, dBeta) is { } incomplete)
        {
            return incomplete;
        }

        if (dGamma.Length != channels || dBeta.Length != channels)
        {
            return new(false, $"dγ and dβ have one entry per channel ({channels}); yours have {dGamma.Length} and {dBeta.Length}.");
        }

        var exact = ChannelReference(dy, x, channels, gamma, eps, positions);
        bool dxRight = Close(dx.Data, exact.Dx), dGammaRight = Close(dGamma, exact.DGamma), dBetaRight = Close(dBeta, exact.DBeta);
        if (dxRight && dGammaRight && dBetaRight)
        {
            return null;
        }

        string where = $"on a {x.Rows}×{channels}×{positions} batch at ε = {eps:G2}";
        if (!dBetaRight || !dGammaRight)
        {
            return new(false, $"{(dBetaRight ? "dγ" : "dβ")} is off {where}: γ_c and β_c enter y at every position of channel c in every example.");
        }

        if (Close(dx.Data, ChannelReference(dy, x, channels, gamma, eps, positions, count: x.Rows).Dx))
        {
            return new(false, $"dx is off {where}: your dx is the one for statistics averaged over N = {x.Rows} values, but each channel's μ_B and σ²_B average N·L = {x.Rows * positions}.");
        }

        double worst = Enumerable.Range(0, channels).Max(c => Math.Abs(Enumerable.Range(0, x.Rows).Sum(i => Enumerable.Range(c * positions, positions).Sum(p => dx[i, p]))));
        return worst > 1e-9
            ? new(false, $"dx is off {where}. Adding a constant to a whole channel changes no x̂, so dx must sum to 0 over each channel's N·L entries — yours sums to {worst:G3} in one: look at the path through μ_B.")
            : new(false, $"dx is off {where}, although it sums to 0 over each channel (the μ_B path is there): look at the path through σ²_B.");
    }

    /// <summary>The per-channel backward by the closed form on the (N·L, C) repacking; with <paramref name="count"/> the
    /// statistics' 1/m factors use that count instead of N·L (a planted mistake's output, for the hint).</summary>
    private static (double[] Dx, double[] DGamma, double[] DBeta) ChannelReference(Matrix<double> dy, Matrix<double> x, int channels, double[] gamma, double eps, int positions, int? count = null)
    {
        var packedX = Packed(x, channels);
        var packedDy = Packed(dy, channels);
        int m = packedX.Rows;
        double[] mean = new double[channels], variance = new double[channels], invStd = new double[channels], dGamma = new double[channels], dBeta = new double[channels];
        var dxPacked = new double[packedX.Data.Length];
        BatchNormKernels.ForwardTrain(packedX.Data, m, gamma, new double[channels], eps, mean, variance, invStd, new double[packedX.Data.Length]);
        BatchNormKernels.BackwardClosedForm(packedDy.Data, packedX.Data, m, gamma, mean, invStd, dxPacked, dGamma, dBeta);
        if (count is int k)
        {
            // dx = γ·invStd·(dy − (Σdy + x̂·Σdy·x̂)/k), with the statistics (still over N·L values) but the 1/k of a wrong count.
            for (int r = 0; r < m; r++)
            {
                for (int c = 0; c < channels; c++)
                {
                    double xHat = (packedX[r, c] - mean[c]) * invStd[c];
                    dxPacked[(r * channels) + c] = gamma[c] * invStd[c] * (packedDy[r, c] - ((dBeta[c] + (xHat * dGamma[c])) / k));
                }
            }
        }

        var dx = new double[x.Data.Length];
        for (int i = 0; i < x.Rows; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int l = 0; l < positions; l++)
                {
                    dx[(i * x.Cols) + (c * positions) + l] = dxPacked[((((i * positions) + l) * channels) + c)];
                }
            }
        }

        return (dx, dGamma, dBeta);
    }

    /// <summary>
    /// Checks PyTorch's running-statistics update (momentum = weight of the NEW value; the running variance stores
    /// the unbiased m/(m−1)·σ²_B), over two batches of different sizes (<see cref="RunningBatchSizes"/>) from the
    /// initial (0, 1), with momentum 0.1 and 0.3. The notebook prints Keras's update, not PyTorch's.
    /// </summary>
    /// <param name="answer">(running mean, running variance, batch mean, biased batch variance, m, momentum) → updates the running arrays in place.</param>
    public static AssignmentVerdict CheckRunningUpdate(Action<double[], double[], double[], double[], int, double> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Run("D · running statistics (PyTorch)", [answer], BatchNormTypes, () =>
            RunningCase(answer, Momentum) ?? RunningCase(answer, OtherMomentum) ?? new(true, null));
    }

    /// <summary>
    /// The three answers A, D and B as one layer against the library's <see cref="Linear{T}"/> → <see cref="BatchNorm1d{T}"/>
    /// in PyTorch's convention: ten training batches (sizes 16 and 10 in turn) of the Linear's output through the
    /// student's forward (A) and running update (D), then the student's fold (B) of the collected running statistics
    /// into the Linear, applied to an eval batch next to the library's two layers in eval mode.
    /// </summary>
    public static AssignmentVerdict CheckLayer(
        Func<Matrix<double>, int, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> forwardTrain,
        Action<double[], double[], double[], double[], int, double> runningUpdate,
        Func<Matrix<double>, double[], double[], double[], double[], double[], double, (Matrix<double> Weight, double[] Bias)> fold)
    {
        ArgumentNullException.ThrowIfNull(forwardTrain);
        ArgumentNullException.ThrowIfNull(runningUpdate);
        ArgumentNullException.ThrowIfNull(fold);
        return Run("E · your layer vs Linear → BatchNorm1d after 10 batches", [forwardTrain, runningUpdate, fold], FoldTypes, () =>
        {
            var linear = new Linear<double>(4, 3, new SeededRandom(31));
            double[] mean = new double[3], variance = [1.0, 1.0, 1.0], gamma = [1.5, 0.5, 2.0], beta = [0.1, -0.2, 0.3];
            var library = new BatchNorm1d<double>(3);
            gamma.CopyTo(library.Gamma.Value, 0);
            beta.CopyTo(library.Beta.Value, 0);
            for (int t = 0; t < 10; t++)
            {
                int m = LayerBatchSizes[t % LayerBatchSizes.Count];
                var h = linear.Forward(Matrix<double>.RandomNormal(m, 4, new SeededRandom((ulong)t), scale: 2.0));
                var copy = h.Clone();
                var (_, batchMean, batchVariance) = forwardTrain(h, 3, (double[])gamma.Clone(), (double[])beta.Clone(), Epsilon);
                if (!Same(h.Data, copy.Data))
                {
                    return new(false, "Your forward A wrote into its input x (normalized it in place), so the layer saw another batch than yours: fix A.");
                }

                runningUpdate(mean, variance, batchMean, batchVariance, m, Momentum);
                library.Forward(copy);
            }

            double[] meanBefore = (double[])mean.Clone(), varianceBefore = (double[])variance.Clone();
            var (weight, bias) = fold(linear.WeightMatrix.Clone(), (double[])linear.Bias!.Value.Clone(), (double[])gamma.Clone(), (double[])beta.Clone(), mean, variance, Epsilon);
            if (!Same(mean, meanBefore) || !Same(variance, varianceBefore))
            {
                return new(false, "Your fold B changed the running statistics: fix B.");
            }

            if (weight is null || bias is null || weight.Rows != 4 || weight.Cols != 3 || bias.Length != 3)
            {
                return new(false, "Your fold B returned W′ or b′ of another shape than W (4, 3) and b (3): fix B.");
            }

            var test = Matrix<double>.RandomNormal(4, 4, new SeededRandom(99));
            library.Training = false;
            double gap = Apply(test, weight, bias).Zip(library.Forward(linear.Forward(test)).Data, (p, q) => Math.Abs(p - q)).Max();
            return gap < Tolerance ? new(true, null) : new(false, $"max gap {gap:E1} to Linear → BatchNorm1d: check A, B and D again.");
        });
    }

    /// <summary>The batch sizes check E trains with, in turn.</summary>
    public static readonly IReadOnlyList<int> LayerBatchSizes = [16, 10];

    /// <summary>The batch sizes check D feeds, one per update (so a batch size written into the code shows).</summary>
    public static readonly IReadOnlyList<int> RunningBatchSizes = [5, 12];

    private static AssignmentVerdict? ForwardTrainCase(Func<Matrix<double>, int, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer, Matrix<double> x, int channels, double eps, bool largeMeans)
    {
        int positions = x.Cols / channels;
        var (gamma, beta) = Affine(channels);
        var packed = Packed(x, channels);   // (N·L, C): the diagnostics below work on it
        var reference = Reference(packed, gamma, beta, eps);
        // Means of 10⁶ round the batch mean itself by up to about 10⁻⁹ in any summation order: compare to 10⁻⁷ there
        // (the one-pass variance E[x²] − E[x]² is off by far more: the tests measure it).
        double tolerance = largeMeans ? LargeMeanTolerance : Tolerance;
        var (xIn, gammaIn, betaIn) = (x.Clone(), (double[])gamma.Clone(), (double[])beta.Clone());
        var (y, mean, variance) = answer(xIn, channels, gammaIn, betaIn, eps);
        if (!Same(xIn.Data, x.Data))
        {
            return new(false, "Your forward wrote into its input x (normalized it in place): the caller's batch is now x̂, so the backward (and the layer in E) see another x. Write x̂ and y into a new Matrix<double>(m, n) and leave x as it was.");
        }

        if (!Same(gammaIn, gamma) || !Same(betaIn, beta))
        {
            return new(false, "Your forward changed γ or β: the parameters are read here, only the optimizer writes them.");
        }

        if (MissingOrMisshaped("y, the batch mean and the batch variance", y, "y", x, mean, variance) is { } incomplete)
        {
            return incomplete;
        }

        if (mean.Length != channels || variance.Length != channels)
        {
            return positions == 1
                ? new(false, $"One mean and one variance per feature (column): {channels} each; yours have {mean.Length} and {variance.Length}. Average over the batch (rows), not over the features.")
                : new(false, $"One mean and one variance per channel: {channels} each for this {x.Rows}×{channels}×{positions} batch; yours have {mean.Length} and {variance.Length}. A channel's statistics average all its values: its {positions} positions in each of the {x.Rows} examples.");
        }

        x = packed;
        y = Packed(y, channels);
        if (Close(mean, reference.Mean, tolerance) && Close(variance, reference.Variance, tolerance) && Close(y.Data, reference.Y, tolerance))
        {
            return null;
        }

        if (positions > 1)
        {
            return Close(mean, [.. reference.Mean.Select(v => v * positions)])
                ? new(false, $"Right when L = 1, but not on an (N, C, L) batch with N = {x.Rows / positions} and L = {positions}: your channel means are {positions} times too large — each channel has N·L = {x.Rows} values, not N.")
                : new(false, $"Right when L = 1, but not on an (N, C, L) batch with N = {x.Rows / positions} and L = {positions}: channel c is columns c·L … c·L + L − 1 of every row, and its μ_B and σ²_B average all N·L of those values (the effective mini-batch).");
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

    private static AssignmentVerdict? BatchOfOne(Func<Matrix<double>, int, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer)
    {
        var x = SampleBatch(m: 1, nearlyConstantColumn: false);
        var (gamma, beta) = Affine(x.Cols);
        try
        {
            answer(x, x.Cols, gamma, beta, Epsilon);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (Exception e) when (e is not NotImplementedException)
        {
            return new(false, $"With a batch of one (N = 1, L = 1) your forward threw {e.GetType().Name}: throw an ArgumentException that says why, as BatchNorm1d does.");
        }

        return new(false, "A batch of one (N = 1, L = 1) has no variance: σ²_B = 0, so x̂ = 0 and y = β whatever x is, and the unbiased m/(m − 1) of task D divides by zero. Refuse it with an ArgumentException, as PyTorch does.");
    }

    private static AssignmentVerdict? SingleExample(Func<Matrix<double>, int, double[], double[], double, (Matrix<double> Y, double[] Mean, double[] Variance)> answer)
    {
        var x = Matrix<double>.RandomNormal(1, 12, new SeededRandom(17), scale: 2.0);   // N = 1, C = 3, L = 4
        try
        {
            return ForwardTrainCase(answer, x, 3, Epsilon, largeMeans: false);
        }
        catch (ArgumentException)
        {
            return new(false, "Your forward refused a single example with L = 4 positions: it has 4 values per channel, which PyTorch's BatchNorm1d normalizes in training. Refuse only when a channel has fewer than two values (N·L < 2).");
        }
    }

    /// <summary>A seeded (N, C, L) = (4, 3, 5) batch as an (N, C·L) matrix: channel c has mean about 2c − 1 and
    /// standard deviation about 1 + c, with an offset of 0.3 per position, so statistics over the N examples of each
    /// column differ from the channel's over its N·L values.</summary>
    public static Matrix<double> ChannelBatch()
    {
        const int n = 4, c = 3, l = 5;
        var random = new SeededRandom(29);
        var x = new Matrix<double>(n, c * l);
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < c; k++)
            {
                for (int p = 0; p < l; p++)
                {
                    x[i, (k * l) + p] = (2.0 * k) - 1 + (0.3 * p) + ((1 + k) * random.NextNormal(0, 1));
                }
            }
        }

        return x;
    }

    /// <summary>An (N, C·L) matrix as (N·L, C): row i·L + l holds position l of example i, one column per channel.</summary>
    private static Matrix<double> Packed(Matrix<double> x, int channels)
    {
        int positions = x.Cols / channels;
        var packed = new Matrix<double>(x.Rows * positions, channels);
        for (int i = 0; i < x.Rows; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int l = 0; l < positions; l++)
                {
                    packed[(i * positions) + l, c] = x[i, (c * positions) + l];
                }
            }
        }

        return packed;
    }

    /// <summary>Check B's layers: a Linear(5 → 3) and an eval-mode BatchNorm1d(3) with γ = (1.5, −0.5, 2), β = (0.1, −0.2, 0.3),
    /// running mean (0.4, −0.3, 1.2) and running variance (0.5, 2, 2·10⁻⁵), so that a fold without b, β, the running mean,
    /// or with ε misplaced, gives other outputs.</summary>
    public static (Linear<double> Linear, BatchNorm1d<double> Norm) FoldLayers(double eps)
    {
        var linear = new Linear<double>(5, 3, new SeededRandom(21));
        var norm = new BatchNorm1d<double>(3, BatchNormConvention.PyTorch.WithEpsilon(eps)) { Training = false };
        double[] gamma = [1.5, -0.5, 2.0], beta = [0.1, -0.2, 0.3], mean = [0.4, -0.3, 1.2], variance = [0.5, 2.0, 2e-5];
        gamma.CopyTo(norm.Gamma.Value, 0);
        beta.CopyTo(norm.Beta.Value, 0);
        mean.CopyTo(norm.Running.Mean, 0);
        variance.CopyTo(norm.Running.Variance, 0);
        return (linear, norm);
    }

    private static AssignmentVerdict? FoldCase(Func<Matrix<double>, double[], double[], double[], double[], double[], double, (Matrix<double> Weight, double[] Bias)> answer, double eps)
    {
        var (linear, norm) = FoldLayers(eps);
        var x = Matrix<double>.RandomNormal(6, linear.InFeatures, new SeededRandom(23), scale: 2.0);
        var expected = norm.Forward(linear.Forward(x)).Data;
        var weight = linear.WeightMatrix.Clone();
        double[] bias = (double[])linear.Bias!.Value.Clone(), gamma = (double[])norm.Gamma.Value.Clone(), beta = (double[])norm.Beta.Value.Clone();
        double[] mean = (double[])norm.Running.Mean.Clone(), variance = (double[])norm.Running.Variance.Clone();
        var (weightIn, biasIn, gammaIn, betaIn, meanIn, varianceIn) =
            (weight.Clone(), (double[])bias.Clone(), (double[])gamma.Clone(), (double[])beta.Clone(), (double[])mean.Clone(), (double[])variance.Clone());
        var (w, b) = answer(weightIn, biasIn, gammaIn, betaIn, meanIn, varianceIn, eps);
        if (!Same(weightIn.Data, weight.Data) || !Same(biasIn, bias))
        {
            return new(false, "Your fold wrote into the Linear's W or b: the caller keeps the unfolded layer. Write W′ and b′ into a new Matrix<double> and a new array.");
        }

        if (!Same(gammaIn, gamma) || !Same(betaIn, beta) || !Same(meanIn, mean) || !Same(varianceIn, variance))
        {
            return new(false, "Your fold changed γ, β or the running statistics it was given: eval mode only reads them (they change in training, task D). Keep intermediate values in locals or a new array.");
        }

        if (w is null || b is null)
        {
            return new(false, "Return both W′ and b′.");
        }

        if (w.Rows != weight.Rows || w.Cols != weight.Cols)
        {
            return new(false, $"W′ must have the shape of W, {weight.Shape} = (in, out): the Linear computes x·W + b, so output feature o is column o of W. Yours is {w.Shape}.");
        }

        if (b.Length != bias.Length)
        {
            return new(false, $"b′ has one entry per output feature, {bias.Length}; yours has {b.Length}.");
        }

        if (Close(Apply(x, w, b), expected))
        {
            return null;
        }

        double[] Scale(double e, bool withGamma = true) => [.. gamma.Select((g, o) => (withGamma ? g : 1) / Math.Sqrt(variance[o] + e))];
        double[] ScaledWeight(double[] alpha) => [.. weight.Data.Select((v, k) => v * alpha[k % weight.Cols])];
        var alpha = Scale(eps);
        if (!Close(w.Data, ScaledWeight(alpha)))
        {
            foreach (double other in new[] { Epsilon, OtherEpsilon }.Where(e => e != eps))
            {
                if (Close(w.Data, ScaledWeight(Scale(other))))
                {
                    return new(false, $"Your W′ is the fold for ε = {other:G2} although the check passed eps = {eps:G2}: use the eps argument, not a number written into the code.");
                }
            }

            if (Close(w.Data, weight.Data))
            {
                return new(false, "W′ is W unchanged: in eval mode the batch norm rescales each output feature, so every weight that feeds it changes too.");
            }

            if (Close(w.Data, ScaledWeight(Scale(0))))
            {
                return new(false, "W′ is right only without ε: the batch norm divides by √(running variance + ε) (look at output feature 2, whose running variance is 2·10⁻⁵).");
            }

            if (Close(w.Data, ScaledWeight([.. gamma.Select((g, o) => g / (Math.Sqrt(variance[o]) + Math.Sqrt(eps)))])))
            {
                return new(false, "You divided by √(running variance) + √ε: √(Var + ε) is not √Var + √ε. Put ε inside the root.");
            }

            return Close(w.Data, ScaledWeight(Scale(eps, withGamma: false)))
                ? new(false, "W′ normalizes but leaves out γ: y = γ·ĥ + β, so γ scales the weights too.")
                : new(false, "W′ is off: write the eval-mode batch norm of h = x·W + b for one output feature and collect what multiplies x.");
        }

        double[] Bias(Func<int, double> f) => [.. Enumerable.Range(0, bias.Length).Select(f)];
        if (Close(b, Bias(o => beta[o] - (mean[o] * alpha[o]))))
        {
            return new(false, "W′ is right; b′ leaves out the Linear's own bias b: h = x·W + b, and b goes through the batch norm as x·W does.");
        }

        if (Close(b, Bias(o => bias[o] + beta[o] - (mean[o] * alpha[o]))))
        {
            return new(false, "W′ is right; b′ adds the Linear's bias b unchanged: b is part of h, so the batch norm acts on it as on x·W.");
        }

        if (Close(b, Bias(o => (bias[o] - mean[o]) * alpha[o])))
        {
            return new(false, "W′ is right; b′ leaves out β.");
        }

        return new(false, "W′ is right, b′ is off: collect everything of γ·(x·W + b − E[h])/√(Var[h] + ε) + β that does not multiply x.");
    }

    /// <summary>x·W + b for W of shape (in, out), by plain loops.</summary>
    private static double[] Apply(Matrix<double> x, Matrix<double> w, double[] b)
    {
        var y = new double[x.Rows * w.Cols];
        for (int i = 0; i < x.Rows; i++)
        {
            for (int o = 0; o < w.Cols; o++)
            {
                double sum = b[o];
                for (int k = 0; k < x.Cols; k++)
                {
                    sum += x[i, k] * w[k, o];
                }

                y[(i * w.Cols) + o] = sum;
            }
        }

        return y;
    }

    /// <summary>❌ when an answer returned null for one of its three results (<paramref name="all"/> names them), or a
    /// first result whose shape is not x's; null when all three are there and the shape fits.</summary>
    private static AssignmentVerdict? MissingOrMisshaped(string all, Matrix<double>? first, string firstName, Matrix<double> x, object? second, object? third)
    {
        if (first is null || second is null || third is null)
        {
            return new(false, $"Return all three: {all}.");
        }

        return first.Rows != x.Rows || first.Cols != x.Cols
            ? new(false, $"{firstName} must have the shape of x, {x.Shape}; yours is {first.Shape}.")
            : null;
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

        if (MissingOrMisshaped("dx, dγ and dβ", dx, "dx", x, dGamma, dBeta) is { } incomplete)
        {
            return incomplete;
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
            return new(false, "dβ fails the gradient check: β_j enters y in every row of column j.");
        }

        if (GradientCheck.RelativeError(dGamma, numeric.DGamma).Error > 1e-7)
        {
            return new(false, "dγ fails the gradient check (dβ passes): γ_j enters y in every row of column j.");
        }

        var reference = Reference(x, gamma, beta, eps);
        var naive = new double[x.Data.Length];
        for (int k = 0; k < naive.Length; k++)
        {
            naive[k] = dy.Data[k] * gamma[k % x.Cols] / Math.Sqrt(reference.Variance[k % x.Cols] + eps);
        }

        if (GradientCheck.RelativeError(dx.Data, naive).Error <= 1e-7)
        {
            return new(false, "Your dx treats μ_B and σ²_B as constants, but both depend on every x of the column: it misses two of the three paths from x to y (Hint 1 above the cell).");
        }

        double[] columnSums = [.. Enumerable.Range(0, x.Cols).Select(j => dx.Column(j).Sum())];
        int worst = Array.IndexOf(columnSums, columnSums.MaxBy(Math.Abs));
        double error = GradientCheck.RelativeError(dx.Data, numeric.Dx).Error;
        return Math.Abs(columnSums[worst]) > 1e-9
            ? new(false, $"dx fails the gradient check (relative error {error:E1}). A test you can run yourself: adding a constant to a whole column of x changes no x̂, so every column of dx must sum to 0 — yours sums to {columnSums[worst]:G3} in column {worst}. Look at the path through μ_B.")
            : new(false, $"dx fails the gradient check (relative error {error:E1}), although its columns sum to 0 as they must (the μ_B path is there): look at the path through σ²_B.");
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
            : new(false, $"Your gradients pass the centred-difference check on the first batches (to 10⁻⁷), but miss the exact gradient by a relative error of {error:E1} (an exact backward is within {ExactBackwardTolerance:E0}) on a batch built against numerical differentiation: its column 2 is nearly constant and its dy is built so that the true dx is tiny, so a finite difference of L = Σ dy ⊙ y cannot resolve it with any step h (round-off for small h, truncation for large h). Differentiating your forward numerically is a gradient check, not a backward: derive the backward with the chain rule.");
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
        int[] sizes = [.. RunningBatchSizes];
        var (mean, variance) = StudentRunning(answer, sizes, momentum);
        var reference = LibraryRunning(BatchNormConvention.PyTorch with { Momentum = momentum }, sizes);
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
            var hardCoded = LibraryRunning(BatchNormConvention.PyTorch, sizes);
            if (Close(mean, hardCoded.Mean))
            {
                return new(false, $"Your update uses momentum {Momentum} although the check passed momentum = {momentum}: use the momentum argument, not a number written into the code.");
            }
        }

        if (Close(mean, LibraryRunning(BatchNormConvention.Keras with { Momentum = momentum }, sizes).Mean))
        {
            return new(false, $"Your running mean follows Keras's convention with momentum {momentum}: PyTorch's momentum means something else (notebook 05).");
        }

        if (!Close(mean, reference.Mean))
        {
            return new(false, "The running mean is off (the check starts from mean 0, variance 1 and feeds two batches).");
        }

        if (Close(variance, LibraryRunning(BatchNormConvention.PyTorch with { Momentum = momentum, UnbiasedRunningVariance = false }, sizes).Variance))
        {
            // m/(m − 1) in int arithmetic is 1 for every m ≥ 3, and exact (2) for m = 2: right at m = 2 means integer division.
            var (_, atTwo) = StudentRunning(answer, [2, 2], momentum);
            return Close(atTwo, LibraryRunning(BatchNormConvention.PyTorch with { Momentum = momentum }, [2, 2]).Variance)
                ? new(false, $"Your running variance is right for m = 2 but unchanged by m/(m − 1) for m = {sizes[0]} and {sizes[1]}: m is an int, so m / (m − 1) is integer division ({sizes[0]} / {sizes[0] - 1} = {sizes[0] / (sizes[0] - 1)} in C#). Write m / (m - 1.0), or multiply σ²_B by m before dividing by m − 1.")
                : new(false, "The mean is right; your running variance blends in the biased σ²_B, as Keras's does: PyTorch stores another variance (notebook 05's table).");
        }

        // The factor the answer applies to σ²_B, measured on one update from (0, 1) at each batch size.
        double Factor(int m)
        {
            var (_, v) = StudentRunning(answer, [m], momentum);
            return (v[0] - (1 - momentum)) / (momentum * RunningVariances[0][0]);
        }

        double f1 = Factor(sizes[0]), f2 = Factor(sizes[1]);
        return Math.Abs(f1 - f2) < 1e-9 * Math.Abs(f1) && Math.Abs(f1 - 1) > 1e-9
            ? new(false, $"The mean is right; your running variance multiplies σ²_B by {f1:G6} whatever the batch size (the check feeds batches of {sizes[0]} and {sizes[1]}): use the m argument, not a batch size written into the code.")
            : new(false, "The mean is right; the running variance is off: PyTorch blends it as it blends the mean, with the variance it stores (notebook 05's table).");
    }

    private static (double[] Mean, double[] Variance) StudentRunning(Action<double[], double[], double[], double[], int, double> answer, int[] sizes, double momentum)
    {
        double[] mean = [0, 0, 0], variance = [1, 1, 1];
        for (int t = 0; t < sizes.Length; t++)
        {
            answer(mean, variance, (double[])RunningMeans[t].Clone(), (double[])RunningVariances[t].Clone(), sizes[t], momentum);
        }

        return (mean, variance);
    }

    private static RunningStatistics<double> LibraryRunning(BatchNormConvention convention, int[] sizes)
    {
        var statistics = new RunningStatistics<double>(3, convention);
        for (int t = 0; t < sizes.Length; t++)
        {
            statistics.Update(RunningMeans[t], RunningVariances[t], sizes[t]);
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
