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
    /// Exercise 1: μ_B and σ_B (the square root of batch norm's variance, divided by m) of z₁₁ = 0.2x₁ + 0.1x₂ + 0.5
    /// over the board's first four rows, from <paramref name="neuron"/> and the library's layer; each asked to 4
    /// significant digits (two verdicts).
    /// </summary>
    public static void BatchStatistics(double mean, double std, Linear<double> neuron)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        var layer = new BatchNorm1d<double>(1);
        layer.Forward(neuron.Forward(PlacementData.BoardInputs().SliceRows(0, 4)));
        double variance = layer.Saved!.Variance[0];
        Exercise.CheckDigits("1a · μ_B", mean, layer.Saved.Mean[0], significantDigits: 4, hint: "z₁₁ = 0.2·x₁ + 0.1·x₂ + 0.5 for each row, then average the four values.");
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
    /// Exercise 3: the γ that makes batch norm the identity on the batch z = 2.00, 2.01, 1.99, 2.00 (with β = μ_B) under
    /// PyTorch's ε, i.e. √(σ²_B + ε); asked to 3 significant digits.
    /// </summary>
    public static void IdentityGamma(double answer)
    {
        var layer = new BatchNorm1d<double>(1);
        layer.Forward(Matrix<double>.FromRows([[2.00], [2.01], [1.99], [2.00]]));
        double variance = layer.Saved!.Variance[0];
        Exercise.CheckDigits("3 · identity γ", answer, Math.Sqrt(variance + layer.Convention.Epsilon), significantDigits: 3,
            hint: EpsilonExercises.Near(answer, Math.Sqrt(variance), 3) ? "That is σ_B alone; x̂ divides by √(σ²_B + ε), and here σ²_B is small enough that ε matters."
                : "x̂ divides by √(σ²_B + ε), so γ must multiply by the same number.");
    }

    /// <summary>
    /// Exercise 4: the largest |∂L/∂b| of the bias of <paramref name="linear"/> when <c>BatchNorm1d</c> follows it
    /// (0 up to round-off: |answer| at most 1e-12), and the same when nothing follows it (asked to 4 significant digits), for
    /// the input <paramref name="x"/> and the upstream gradient <paramref name="upstream"/> (∂L/∂ of the last
    /// layer's output). Computed on copies, one verdict for both: the pair is not guessable.
    /// </summary>
    public static void RedundantBias(double withBatchNorm, double withoutBatchNorm, Linear<double> linear, Matrix<double> x, Matrix<double> upstream)
    {
        ArgumentNullException.ThrowIfNull(linear);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(upstream);
        double LargestBiasGradient(bool batchNorm)
        {
            var copy = new Linear<double>(linear.InFeatures, linear.OutFeatures, new SeededRandom(0));
            linear.Weight.Value.CopyTo(copy.Weight.Value, 0);
            linear.Bias!.Value.CopyTo(copy.Bias!.Value, 0);
            ILayer<double>[] layers = batchNorm ? [copy, new BatchNorm1d<double>(linear.OutFeatures)] : [copy];
            var net = new Sequential<double>(layers);
            net.Forward(x.Clone());
            net.Backward(upstream.Clone());
            return copy.Bias.Grad.Max(Math.Abs);
        }

        double with = LargestBiasGradient(true), without = LargestBiasGradient(false);
        const string name = "4 · the redundant bias";
        if (double.IsNaN(withBatchNorm) || double.IsNaN(withoutBatchNorm))
        {
            Exercise.Report(name, null, null);
            return;
        }

        // (a) is 0 up to round-off (the library leaves a few 1e-15): the exercise accepts anything at most 1e-12.
        bool withRight = Math.Abs(withBatchNorm) <= Math.Max(1e-12, Math.Abs(with)), withoutRight = EpsilonExercises.Near(withoutBatchNorm, without, 4);
        string? hint = withRight && withoutRight ? null
            : !withRight ? "With batch norm after it, shifting every z by b shifts μ_B by b too: what reaches the bias?"
            : "Without batch norm, ∂L/∂b_j is the sum over the rows of the upstream gradient of column j; take the largest |…|.";
        Exercise.Report(name, withRight && withoutRight, hint, $"0, {Exercise.ShownDigits(without, 4)}");
    }

    /// <summary>
    /// Exercise 5: on how many seeds "BN before g" has the lower 20-step average training loss ending at step 60
    /// (steps 41–60) than the standardized control — paired by seed — and the two-sided sign-test p of that split
    /// (asked to 3 significant digits). One verdict for both.
    /// </summary>
    public static void EarlyPairedCount(double count, double pValue, IReadOnlyList<TrainingHistory> control, IReadOnlyList<TrainingHistory> batchNormBefore)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(batchNormBefore);
        if (control.Count != batchNormBefore.Count)
        {
            throw new ArgumentException($"{control.Count} control runs but {batchNormBefore.Count} BN runs: pass the two arms' runs, one per seed.", nameof(batchNormBefore));
        }

        static double Early(TrainingHistory h) => h.Loss.Skip(40).Take(20).Average();
        int wins = control.Zip(batchNormBefore).Count(p => Early(p.Second) < Early(p.First));
        int ties = control.Zip(batchNormBefore).Count(p => Early(p.Second) == Early(p.First));
        double p = SignTestP(wins, control.Count - ties);
        const string name = "5 · who leads at step 60";
        if (double.IsNaN(count) || double.IsNaN(pValue))
        {
            Exercise.Report(name, null, null);
            return;
        }

        bool countRight = count == wins, pRight = EpsilonExercises.Near(pValue, p, 3);
        int final = control.Zip(batchNormBefore).Count(q => q.Second.FinalLoss() < q.First.FinalLoss());
        string? hint = countRight && pRight ? null
            : count == final && !countRight ? "That is the count on the final loss; this exercise asks about steps 41–60."
            : count == control.Count - wins && !countRight ? "Count the seeds on which BN before g is lower, not the control."
            : !countRight ? "For each seed k compare runs[arm][k].Loss.Skip(40).Take(20).Average() of the two arms and count."
            : EpsilonExercises.Near(pValue, p / 2, 3) ? "The sign test here is two-sided: double the one-sided tail."
            : "p = the chance that a fair coin per seed gives a split at least this uneven, in either direction: 2·Σ C(n, i)/2ⁿ over the tail.";
        Exercise.Report(name, countRight && pRight, hint, $"{wins}, {Exercise.ShownDigits(p, 3)}");
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
