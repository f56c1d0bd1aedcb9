namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/04-epsilon. Each method computes its expected value here, out of the students' sight,
/// and prints the verdict through <see cref="Exercise"/>: ✅, ❌ with a hint that does not give the answer, or "not
/// answered yet" while the answer is NaN.
/// </summary>
public static class EpsilonExercises
{
    /// <summary>The batch of Exercise 4: one feature, m = 4, σ² = 1.25e-4 (comparable to Keras's ε = 1e-3).</summary>
    public static IReadOnlyList<double> GradientBatch { get; } = [1.00, 1.02, 0.99, 1.01];

    /// <summary>
    /// Exercise 1: a binary feature that is 1 for 20 % of the rows, mini-batches of independent rows. (a) The fraction
    /// of batches of m = 4 in which the feature is constant (σ²_B = 0: all 0 or all 1), 0.8⁴ + 0.2⁴, asked to 3
    /// significant digits; (b) the smallest m for which that fraction is below 1 %, exact. One verdict for both.
    /// </summary>
    public static void ConstantBatches(double fraction, double batchSize)
    {
        const string name = "1 · how often a batch is constant";
        const double share = 0.2;
        static double Constant(int m) => Math.Pow(1 - share, m) + Math.Pow(share, m);
        double expected = Constant(4);
        int smallest = 1;
        while (Constant(smallest) >= 0.01)
        {
            smallest++;
        }

        if (double.IsNaN(fraction) || double.IsNaN(batchSize))
        {
            Exercise.Report(name, null, null);
            return;
        }

        bool fractionRight = Near(fraction, expected, 3), sizeRight = batchSize == smallest;
        string? hint = fractionRight && sizeRight ? null
            : Near(fraction, Math.Pow(1 - share, 4), 3) ? "(a): a batch is also constant when every row is 1."
            : !fractionRight ? "(a): the feature is constant when all m rows are 0 or all m rows are 1; the rows are independent."
            : batchSize == smallest - 1 ? "(b): at that m the fraction is still at least 1 %; one more row."
            : "(b): increase m until (0.8)^m + (0.2)^m drops below 0.01.";
        Exercise.Report(name, fractionRight && sizeRight, hint, $"{Exercise.ShownDigits(expected, 3)}, {smallest}");
    }

    /// <summary>
    /// Exercise 2: the board's shortcut for Keras's ε = 1e-3 and σ = 0.015 (between two points of the notebook's σ grid), the ratio (σ + √ε)/√(σ² + ε), asked to 4
    /// significant digits.
    /// </summary>
    public static void Shortcut(double answer)
    {
        double eps = BatchNormConvention.Keras.Epsilon, sigma = 0.015;
        Exercise.CheckDigits("2 · the shortcut", answer, (sigma + Math.Sqrt(eps)) / Math.Sqrt(sigma * sigma + eps), significantDigits: 4,
            hint: Math.Abs(answer - Math.Sqrt(2)) < 1e-3 ? "√2 is the largest possible ratio, reached only at σ = √ε; here σ is not √ε."
                : "Compute both denominators for these σ and ε and divide.");
    }

    /// <summary>
    /// Exercise 3: the ε for which the x₁/100 feature of section 3 (column 2 of <paramref name="threeUnits"/>) comes
    /// out of the normalization with std(x̂) = σ/√(σ² + ε) = 0.9, i.e. ε = σ²(1/0.81 − 1) with the batch's own
    /// (biased) variance σ²; asked to 2 significant digits.
    /// </summary>
    public static void EpsilonForDamping(double answer, Matrix<float> threeUnits)
    {
        ArgumentNullException.ThrowIfNull(threeUnits);
        if (threeUnits.Cols != 3)
        {
            throw new ArgumentException($"Expected the three-unit matrix of section 3 (3 columns), got {threeUnits.Cols}.", nameof(threeUnits));
        }

        double[] x = [.. threeUnits.Column(2).Select(v => (double)v)];
        double mean = x.Average(), variance = x.Average(v => (v - mean) * (v - mean));
        double expected = variance * (1 / 0.81 - 1);
        string hint = Near(answer, variance * (1 / 0.9 - 1), 2) ? "std(x̂) = 0.9 means σ²/(σ² + ε) = 0.81: square first."
            : Near(answer, variance * x.Length / (x.Length - 1) * (1 / 0.81 - 1), 2) ? "Batch norm's variance divides by m, not m − 1."
            : "Solve σ/√(σ² + ε) = 0.9 for ε, with σ² the batch variance of that column (divide by m).";
        Exercise.CheckDigits("3 · the ε that damps to 0.9", answer, expected, significantDigits: 2, hint: hint);
    }

    /// <summary>
    /// Exercise 4: the Jacobian entry ∂x̂₀/∂x₀ of batch norm on <see cref="GradientBatch"/> with Keras's ε = 1e-3
    /// (γ = 1), which the student measures by centred differences or derives; asked to 3 significant digits. The
    /// expected value is the library's backward with upstream gradient 1 on x̂₀ and 0 elsewhere.
    /// </summary>
    public static void GradientEntry(double answer)
    {
        double expected = GradientEntryOf(BatchNormConvention.Keras.Epsilon);
        double torch = GradientEntryOf(BatchNormConvention.PyTorch.Epsilon);
        double[] x = [.. GradientBatch];
        double mean = x.Average(), variance = x.Average(v => (v - mean) * (v - mean));
        double diagonalOnly = 1 / Math.Sqrt(variance + BatchNormConvention.Keras.Epsilon);
        string hint = Near(answer, torch, 3) ? "That is the value for PyTorch's ε = 1e-5; this exercise uses Keras's ε = 1e-3."
            : Near(answer, diagonalOnly, 3) ? "Moving x₀ also moves μ_B and σ²_B, which every x̂ uses: nudge x₀ and recompute the batch statistics too."
            : Near(answer, 1 / Math.Sqrt(BatchNormConvention.Keras.Epsilon), 3) ? "That is the bound 1/√ε, not this batch's gradient; measure it."
            : "Nudge x₀ by ±h (h = 1e-6), recompute x̂₀ with the batch's own mean and variance each time, and divide the difference by 2h.";
        Exercise.CheckDigits("4 · a gradient against its bound", answer, expected, significantDigits: 3, hint: hint);
    }

    /// <summary>
    /// Exercise 5: (a) the smallest float32 variance v ≥ 1 at which adding PyTorch's ε is lost (v + ε == v in
    /// float32), exact; (b) the spacing between v and the next larger float32 there, asked to 2 significant digits.
    /// One verdict for both, so a lucky guess of (a) does not pass.
    /// </summary>
    public static void Float32Vanishing(double variance, double spacing)
    {
        float eps = (float)BatchNormConvention.PyTorch.Epsilon;
        float v = 1f;
        while (v + eps != v)
        {
            v *= 2;
        }

        // v is a power of two; every float32 below it and above 1 still changes (checked: the one just below it does).
        float below = MathF.BitDecrement(v);
        if (below + eps == below)
        {
            throw new InvalidOperationException("The doubling search overshot: the threshold is not a power of two.");
        }

        double expectedSpacing = MathF.BitIncrement(v) - v;
        if (double.IsNaN(variance) || double.IsNaN(spacing))
        {
            Exercise.Report("5 · where ε vanishes in float32", null, null);
            return;
        }

        bool varianceRight = variance == v;
        bool spacingRight = Near(spacing, expectedSpacing, 2);
        string? hint = varianceRight && spacingRight ? null
            : variance == v / 2 ? "At that variance adding ε still changes the float: half the spacing there is below ε. Go one step further."
            : varianceRight ? "The variance is right; the spacing near v is 2^(e − 23) for v in [2^e, 2^(e+1)) — 24 significant bits."
            : "Search in float32: start at v = 1f and double v while v + 1e-5f != v; the first v where it no longer changes is the answer. Then the spacing there.";
        Exercise.Report("5 · where ε vanishes in float32", varianceRight && spacingRight, hint,
            $"{v:R}, {Exercise.ShownDigits(expectedSpacing, 2)}");
    }

    /// <summary>∂x̂₀/∂x₀ of <see cref="GradientBatch"/> under <paramref name="epsilon"/>, from the library's backward.</summary>
    private static double GradientEntryOf(double epsilon)
    {
        var layer = new BatchNorm1d<double>(1, BatchNormConvention.PyTorch.WithEpsilon(epsilon));
        var x = new Matrix<double>(GradientBatch.Count, 1);
        for (int i = 0; i < GradientBatch.Count; i++)
        {
            x[i, 0] = GradientBatch[i];
        }

        layer.Forward(x);
        var dy = new Matrix<double>(GradientBatch.Count, 1);
        dy[0, 0] = 1;
        return layer.Backward(dy)[0, 0];
    }

    /// <summary>True when <paramref name="answer"/> agrees with <paramref name="value"/> to <paramref name="digits"/> significant digits.</summary>
    internal static bool Near(double answer, double value, int digits)
    {
        if (!double.IsFinite(answer) || !double.IsFinite(value))
        {
            return false;
        }

        double magnitude = value == 0 ? 0 : Math.Floor(Math.Log10(Math.Abs(value)));
        return Math.Abs(answer - value) <= 0.5 * Math.Pow(10, magnitude - digits + 1) * (1 + 1e-9);
    }
}
