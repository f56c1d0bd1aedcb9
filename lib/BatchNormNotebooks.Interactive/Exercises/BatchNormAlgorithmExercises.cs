namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/03-batchnorm-algorithm. Each method computes its expected value here, out of the
/// students' sight (from the notebook's own objects where the answer depends on them), and prints the verdict through
/// <see cref="Exercise"/>: ✅, ❌ with a hint that does not give the answer, or "not answered yet".
/// </summary>
public static class BatchNormAlgorithmExercises
{
    private static readonly Type[] ForbiddenInTransform =
        [typeof(BatchNormKernels), typeof(BatchNorm1d<>), typeof(RunningStatistics<>), typeof(NoisyBatchNorm<>), typeof(LayerNorm<>)];

    /// <summary>
    /// Exercise 1: μ_B and σ_B (the square root of batch norm's variance, divided by m) of z₁₁ = 0.3x₁ − 0.1x₂ + 0.4
    /// over the board's first four rows (a neuron the notebook does not print), from the library's layer; each asked
    /// to 4 significant digits (two verdicts).
    /// </summary>
    public static void BatchStatistics(double mean, double std)
    {
        var neuron = new Linear<double>(2, 1, new SeededRandom(0));
        neuron.Weight.Value[0] = 0.3;
        neuron.Weight.Value[1] = -0.1;
        neuron.Bias!.Value[0] = 0.4;
        var layer = new BatchNorm1d<double>(1);
        layer.Forward(neuron.Forward(PlacementData.BoardInputs().SliceRows(0, 4)));
        double variance = layer.Saved!.Variance[0];
        Exercise.CheckDigits("1a · μ_B", mean, layer.Saved.Mean[0], significantDigits: 4,
            hint: "z₁₁ = 0.3·x₁ − 0.1·x₂ + 0.4 for each row, then average the four values.");
        Exercise.CheckDigits("1b · σ_B", std, Math.Sqrt(variance), significantDigits: 4,
            hint: EpsilonExercises.Near(std, Math.Sqrt(variance * 4 / 3), 4) ? "Batch norm divides the squared deviations by m = 4, not by m − 1 = 3."
                : EpsilonExercises.Near(std, variance, 4) ? "That is σ²_B; σ_B is its square root." : "Square the deviations from μ_B, average them, take the square root.");
    }

    /// <summary>
    /// Exercise 2: the student's <c>answerBatchNorm(z, gamma, beta, eps)</c> returns y = γ·x̂ + β for one feature's
    /// batch z (training mode: the batch's own mean and the variance divided by m). Checked against
    /// <see cref="BatchNorm1d{T}"/> to 1e-9 on three seeded batches: an ordinary one (ε = 1e-5), one whose variance is
    /// comparable to ε (ε = 1e-3), and a constant feature. A function using the library's batch norm is rejected;
    /// the usual slips (m − 1, σ + √ε, no ε, γ and β swapped or left out) get pointed hints.
    /// </summary>
    public static void Transform(Func<double[], double, double, double, double[]> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        const string name = "2 · batch norm of one feature";
        var calls = LibraryCalls.Find([answer], ForbiddenInTransform);
        if (calls.Count > 0)
        {
            Exercise.Report(name, false, $"Your function uses the library's batch norm ({string.Join(", ", calls.Take(3))}): write the four lines of Algorithm 1 yourself.");
            return;
        }

        var random = new SeededRandom(301);
        double[] ordinary = [.. Enumerable.Range(0, 6).Select(_ => random.NextNormal(3, 2))];
        double[] tiny = [.. Enumerable.Range(0, 5).Select(_ => random.NextNormal(2, 0.02))];
        var cases = new (string What, double[] Z, double Gamma, double Beta, double Eps)[]
        {
            ("an ordinary batch", ordinary, 1.5, -0.5, 1e-5),
            ("a batch whose variance is comparable to ε", tiny, 0.8, 0.3, 1e-3),
            ("a constant feature", [3.0, 3.0, 3.0, 3.0], 2, 0.5, 1e-5),
        };
        foreach (var (what, z, gamma, beta, eps) in cases)
        {
            double[] got;
            try
            {
                got = answer([.. z], gamma, beta, eps);
            }
            catch (NotImplementedException)
            {
                Exercise.Report(name, null, null);
                return;
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException or NullReferenceException or ArithmeticException)
            {
                Exercise.Report(name, false, $"On {what} your function threw {e.GetType().Name}: {e.Message}");
                return;
            }

            double[] expected = LibraryTransform(z, gamma, beta, eps);
            if (got is null || got.Length != z.Length)
            {
                Exercise.Report(name, false, $"Return one output per row: {z.Length} values for {what}, got {got?.Length.ToString() ?? "null"}.");
                return;
            }

            if (!Same(got, expected))
            {
                Exercise.Report(name, false, TransformHint(got, z, gamma, beta, eps, what));
                return;
            }
        }

        Exercise.Report(name, true, null);
    }

    /// <summary>
    /// Exercise 3: (a) the γ that makes the PyTorch-default batch norm layer the identity on the batch
    /// z = 2.00, 2.01, 1.99, 2.00 (with β = μ_B), i.e. √(σ²_B + ε) with ε = 1e-5, to 3 significant digits; (b) the
    /// largest |y_i − z_i| when γ = σ_B instead, to 2 significant digits (both computed here by the library's layer).
    /// The prompt does not name ε. One verdict for both.
    /// </summary>
    public static void IdentityGamma(double answer, double errorWithSigma)
    {
        Matrix<double> z = Matrix<double>.FromRows([[2.00], [2.01], [1.99], [2.00]]);
        var layer = new BatchNorm1d<double>(1);
        layer.Forward(z);
        double variance = layer.Saved!.Variance[0], mean = layer.Saved.Mean[0];
        double identity = Math.Sqrt(variance + layer.Convention.Epsilon);
        var withSigma = new BatchNorm1d<double>(1);
        withSigma.Gamma.Value[0] = Math.Sqrt(variance);
        withSigma.Beta.Value[0] = mean;
        double[] y = withSigma.Forward(z).Column(0);
        double error = y.Select((v, i) => Math.Abs(v - z[i, 0])).Max();
        bool? gammaRight = ExerciseParts.Digits(answer, identity, 3), errorRight = ExerciseParts.Digits(Math.Abs(errorWithSigma), error, 2);
        string hint = gammaRight != true
            ? EpsilonExercises.Near(answer, Math.Sqrt(variance), 3) ? "That is σ_B alone: which number does the layer divide by, and what is its default ε?"
            : "x̂ divides by √(σ²_B + ε) with the layer's default ε, so γ must multiply by the same number."
            : errorWithSigma == 0 ? "γ = σ_B does not undo the division by √(σ²_B + ε): run the layer with γ = σ_B, β = μ_B and compare y with z."
            : "Compute y_i = σ_B·(z_i − μ_B)/√(σ²_B + ε) + μ_B for the four values (or run the layer) and take the largest |y_i − z_i|.";
        ExerciseParts.Report("3 · identity γ", [gammaRight, errorRight], hint, $"{ExerciseParts.Digits(identity, 3)}, {ExerciseParts.Digits(error, 2)}");
    }

    /// <summary>
    /// Exercise 4: (a) the largest |∂L/∂β| of the <c>BatchNorm1d</c> that follows <paramref name="linear"/>, (b) the
    /// largest |∂L/∂b| of the Linear's own bias in that same network (round-off: accepted when at most 1e-12) together
    /// with the largest |∂L/∂W| of its weights there (which cannot be guessed, so typing 0 for the bias does not pass),
    /// and (c) the largest |∂L/∂b| of the Linear's bias when nothing follows it ((a), the weights and (c) asked to 4
    /// significant digits),
    /// for the input <paramref name="x"/> and the upstream gradient <paramref name="upstream"/> (∂L/∂ of the last
    /// layer's output). All three are computed here through the library's backward, on copies; one verdict for all.
    /// </summary>
    public static void RedundantBias(double withBatchNorm, double linearBiasWithBatchNorm, double linearWeightWithBatchNorm, double withoutBatchNorm,
        Linear<double> linear, Matrix<double> x, Matrix<double> upstream)
    {
        ArgumentNullException.ThrowIfNull(linear);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(upstream);
        (double Beta, double Bias, double Weight) LargestGradients(bool batchNorm)
        {
            var copy = new Linear<double>(linear.InFeatures, linear.OutFeatures, new SeededRandom(0));
            linear.Weight.Value.CopyTo(copy.Weight.Value, 0);
            linear.Bias!.Value.CopyTo(copy.Bias!.Value, 0);
            var norm = new BatchNorm1d<double>(linear.OutFeatures);
            ILayer<double>[] layers = batchNorm ? [copy, norm] : [copy];
            var net = new Sequential<double>(layers);
            net.Forward(x.Clone());
            net.Backward(upstream.Clone());
            return (norm.Beta.Grad.Max(Math.Abs), copy.Bias.Grad.Max(Math.Abs), copy.Weight.Grad.Max(Math.Abs));
        }

        var (with, biasWith, weightWith) = LargestGradients(true);
        var (_, without, weightWithout) = LargestGradients(false);
        bool? withRight = ExerciseParts.Digits(withBatchNorm, with, 4), withoutRight = ExerciseParts.Digits(withoutBatchNorm, without, 4);
        bool? biasRight = double.IsNaN(linearBiasWithBatchNorm) ? null : Math.Abs(linearBiasWithBatchNorm) <= 1e-12;
        bool? weightRight = ExerciseParts.Digits(linearWeightWithBatchNorm, weightWith, 4);
        string hint = withRight != true && Math.Abs(withBatchNorm) < 1e-9 ? "(a) asks for the batch norm's β, not the Linear's bias."
            : withRight != true ? "(a) is the batch norm's β: y = γ·x̂ + β, so ∂L/∂β_j sums column j of the upstream gradient; take the largest |…|."
            : withoutRight != true ? "Without batch norm, ∂L/∂b_j is the sum over the rows of the upstream gradient of column j; take the largest |…|."
            : biasRight != true ? "(b) is the Linear's own bias in the network with batch norm after it: run the backward and read that bias's gradient."
            : EpsilonExercises.Near(linearWeightWithBatchNorm, weightWithout, 4)
                ? "That is the weights' gradient of the Linear alone; (b) asks for it in the network with the batch norm after the Linear."
            : "(b)'s weights: run the backward through Linear → BatchNorm1d and take the largest |∂L/∂W| of the Linear.";
        ExerciseParts.Report("4 · the redundant bias", [withRight, biasRight, weightRight, withoutRight], hint,
            $"{Exercise.ShownDigits(with, 4)}, round-off ({biasWith:G2}), {Exercise.ShownDigits(weightWith, 4)}, {Exercise.ShownDigits(without, 4)}");
    }

    /// <summary>
    /// Exercise 5: cut the runs into 20-step windows (steps 1–20, 21–40, …); (a) per window, the number of seeds' pairs
    /// on which the <paramref name="control"/> has the lower window-average training loss than
    /// <paramref name="batchNormBefore"/> (the whole list is checked, so (b) and (c) cannot be found by trial alone),
    /// (b) the last step of the first window with at least 9 of them (all but one of 10), (c) the two-sided sign-test p
    /// of the split in the window before it (3 significant digits). One verdict for all three.
    /// </summary>
    public static void RankingFlip(int[]? counts, double lastStep, double pValue, IReadOnlyList<TrainingHistory> control,
        IReadOnlyList<TrainingHistory> batchNormBefore)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(batchNormBefore);
        if (control.Count != batchNormBefore.Count || control.Count < 2)
        {
            throw new ArgumentException($"{control.Count} control runs but {batchNormBefore.Count} BN runs: pass the two arms' runs, one per seed.", nameof(batchNormBefore));
        }

        var (step, p, finalWindowStep) = Flip(control, batchNormBefore);
        int[] expected = WindowCounts(control, batchNormBefore);
        const string name = "5 · when the ranking flips";
        if (counts is null || counts.Length == 0 || double.IsNaN(lastStep) || double.IsNaN(pValue))
        {
            Exercise.Report(name, null, null);
            return;
        }

        bool countsRight = counts.SequenceEqual(expected), stepRight = lastStep == step, pRight = EpsilonExercises.Near(pValue, p, 3);
        int firstOff = counts.Length == expected.Length ? Array.FindIndex(expected, w => counts[w] != expected[w]) : -1;
        string? hint = countsRight && stepRight && pRight ? null
            : counts.Length != expected.Length ? $"Give one count per 20-step window: {expected.Length} numbers, steps 1–20 first."
            : counts.Zip(expected).All(c => c.First == control.Count - c.Second) ? "Count the seeds on which the control's loss is the lower one."
            : !countsRight ? $"The count of window {firstOff + 1} (steps {(20 * firstOff) + 1}–{(20 * firstOff) + 20}) is off: compare " +
                "runs[arm][k].Loss.Skip(20 * w).Take(20).Average() of the two arms for each seed k."
            : !stepRight && lastStep == step - 20 ? "That window's count is still below 9: (b) asks for the first window with at least 9 of 10 seeds."
            : !stepRight && lastStep == finalWindowStep ? "The last window is not the first: go through the windows from step 1."
            : !stepRight ? "Give the last step of the first window whose count is at least 9 (window w covers steps 20w + 1 … 20w + 20)."
            : EpsilonExercises.Near(pValue, Math.Min(1, p / 2), 3) ? "The sign test here is two-sided: double the one-sided tail."
            : "p = the chance that a fair coin per seed gives a split at least this uneven, in either direction, for the window before (b)'s.";
        Exercise.Report(name, countsRight && stepRight && pRight, hint, $"[{string.Join(", ", expected)}], {step}, {Exercise.ShownDigits(p, 3)}");
    }

    /// <summary>Per 20-step window, the number of seeds' pairs on which the control's window-average loss is lower.</summary>
    internal static int[] WindowCounts(IReadOnlyList<TrainingHistory> control, IReadOnlyList<TrainingHistory> batchNormBefore)
    {
        int windows = control.Min(h => h.Loss.Count) / 20;
        static double Window(TrainingHistory h, int w) => h.Loss.Skip(20 * w).Take(20).Average();
        return [.. Enumerable.Range(0, windows).Select(w => control.Zip(batchNormBefore).Count(p => Window(p.First, w) < Window(p.Second, w)))];
    }

    /// <summary>(a) and (b) of <see cref="RankingFlip"/>, and the last step of the runs' last full window.</summary>
    internal static (int Step, double P, int FinalWindowStep) Flip(IReadOnlyList<TrainingHistory> control, IReadOnlyList<TrainingHistory> batchNormBefore)
    {
        int windows = control.Min(h => h.Loss.Count) / 20, n = control.Count;
        (int Lower, int Ties) Count(int w)
        {
            static double Window(TrainingHistory h, int w) => h.Loss.Skip(20 * w).Take(20).Average();
            var pairs = control.Zip(batchNormBefore).Select(p => (C: Window(p.First, w), B: Window(p.Second, w))).ToList();
            return (pairs.Count(p => p.C < p.B), pairs.Count(p => p.C == p.B));
        }

        for (int w = 1; w < windows; w++)
        {
            if (Count(w).Lower >= n - 1)
            {
                var (lower, ties) = Count(w - 1);
                return (20 * w + 20, SignTestP(lower, n - ties), 20 * windows);
            }
        }

        throw new InvalidOperationException("The control is never lower on all but one seed in a window after the first: these runs do not flip.");
    }

    /// <summary>Two-sided sign test: the chance of a split at least as uneven as <paramref name="wins"/> of <paramref name="n"/> with a fair coin.</summary>
    internal static double SignTestP(int wins, int n)
    {
        int tail = Math.Min(wins, n - wins);
        double sum = 0, choose = 1;
        for (int i = 0; i <= tail; i++)
        {
            sum += choose;
            choose = choose * (n - i) / (i + 1);
        }

        return Math.Min(1, 2 * sum / Math.Pow(2, n));
    }

    private static double[] LibraryTransform(double[] z, double gamma, double beta, double eps)
    {
        var layer = new BatchNorm1d<double>(1, BatchNormConvention.PyTorch.WithEpsilon(eps));
        layer.Gamma.Value[0] = gamma;
        layer.Beta.Value[0] = beta;
        var x = new Matrix<double>(z.Length, 1);
        for (int i = 0; i < z.Length; i++)
        {
            x[i, 0] = z[i];
        }

        return layer.Forward(x).Column(0);
    }

    private static bool Same(double[] got, double[] expected) =>
        got.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 1e-9 * (1 + Math.Abs(p.Second)));

    private static string TransformHint(double[] got, double[] z, double gamma, double beta, double eps, string what)
    {
        double mean = z.Average(), ss = z.Sum(v => (v - mean) * (v - mean)), m = z.Length;
        double[] With(double scale, double g, double b) => [.. z.Select(v => (g * (v - mean) * scale) + b)];
        if (got.Any(double.IsNaN))
        {
            return $"On {what} you return NaN: where does the division by zero come from, and what is ε for?";
        }

        return Same(got, With(1 / Math.Sqrt((ss / (m - 1)) + eps), gamma, beta)) ? "Batch norm's σ²_B divides by m, not m − 1 (Algorithm 1)."
            : Same(got, With(1 / (Math.Sqrt(ss / m) + Math.Sqrt(eps)), gamma, beta)) ? "ε goes inside the square root: √(σ²_B + ε), not σ_B + √ε (notebook 04)."
            : Same(got, With(1 / Math.Sqrt(ss / m), gamma, beta)) ? $"On {what} ε matters: divide by √(σ²_B + ε)."
            : Same(got, With(1 / Math.Sqrt((ss / m) + eps), beta, gamma)) ? "γ scales and β shifts: y = γ·x̂ + β."
            : Same(got, With(1 / Math.Sqrt((ss / m) + eps), 1, 0)) ? "That is x̂; the last line of Algorithm 1 scales and shifts it."
            : $"Not yet right on {what}: compute μ_B, then σ²_B, then x̂, then y, and print each for a small batch you can check by hand.";
    }
}
