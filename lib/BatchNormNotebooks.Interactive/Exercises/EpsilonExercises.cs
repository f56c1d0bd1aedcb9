using System.Globalization;

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
    /// Exercise 3's column: x₂/100 of section 3's 64 rows (<c>PlacementData.Generate(64, seed: 4)</c>) in float32, a
    /// feature whose variance the notebook does not print.
    /// </summary>
    public static float[] DampingColumn() => [.. PlacementData.Generate(64, seed: 4).X.Column(1).Select(v => (float)(v / 100))];

    /// <summary>
    /// Exercise 3: (a) the ε for which <see cref="DampingColumn"/> comes out of the normalization with
    /// std(x̂) = σ/√(σ² + ε) = 0.9, i.e. ε = σ²(1/0.81 − 1) with the batch's own (biased) variance σ², asked to 2
    /// significant digits; (b) the standard deviation (divide by m) of the float32 library layer's output with that ε
    /// rounded to 2 significant digits, to ±0.0005. One verdict for both; (b) with the unrounded ε gets its own hint.
    /// </summary>
    public static void EpsilonForDamping(double answer, double measuredStd)
    {
        double[] x = [.. DampingColumn().Select(v => (double)v)];
        double mean = x.Average(), variance = x.Average(v => (v - mean) * (v - mean));
        double expected = variance * (1 / 0.81 - 1);
        double rounded = double.Parse(expected.ToString("G2", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var layer = new BatchNorm1d<float>(1, BatchNormConvention.PyTorch.WithEpsilon(rounded));
        var output = layer.Forward(Matrix<float>.FromRows([.. DampingColumn().Select(v => new[] { v })])).Column(0).Select(v => (double)v).ToArray();
        double outMean = output.Average(), std = Math.Sqrt(output.Average(v => (v - outMean) * (v - outMean)));
        bool? epsRight = ExerciseParts.Digits(answer, expected, 2), stdRight = ExerciseParts.Within(measuredStd, std, 5e-4);
        string hint = epsRight != true
            ? Near(answer, variance * (1 / 0.9 - 1), 2) ? "std(x̂) = 0.9 means σ²/(σ² + ε) = 0.81: square first."
            : Near(answer, variance * x.Length / (x.Length - 1) * (1 / 0.81 - 1), 2) ? "Batch norm's variance divides by m, not m − 1."
            : Near(answer, 2.83e-4 * (1 / 0.81 - 1), 1) ? "That is the x₁/100 feature of section 3; this exercise uses x₂/100 (ex3Column)."
            : "Solve σ/√(σ² + ε) = 0.9 for ε, with σ² the batch variance of ex3Column (divide by m)."
            : Math.Abs(measuredStd - 0.9) <= 2e-4 ? "(b) normalizes with ε rounded to 2 significant digits, as you would type it; what does the rounding do?"
            : "(b): normalize ex3Column with BatchNorm1d<float> and your ε rounded to 2 significant digits, then take the std of the output (divide by m).";
        ExerciseParts.Report("3 · the ε that damps to 0.9", [epsRight, stdRight], hint, $"{ExerciseParts.Digits(expected, 2)}, {std:F3}");
    }

    /// <summary>
    /// Exercise 4: the Jacobian entry ∂x̂₀/∂x₀ of batch norm on <see cref="GradientBatch"/> with Keras's ε = 1e-3
    /// (γ = 1), measured by centred differences: the student's nudge <paramref name="h"/> (0 &lt; h ≤ 1e-2), the two
    /// nudged values x̂₀(x₀ ± h) (each recomputed here for that h, to 1e-9) and the derivative (to 3 significant digits
    /// both the library's backward with upstream gradient 1 on x̂₀ and the student's own difference quotient).
    /// One verdict for all four, so a value plugged into the closed form alone does not pass.
    /// </summary>
    public static void GradientEntry(double answer, double h, double xHatPlus, double xHatMinus)
    {
        const string name = "4 · a gradient against its bound";
        double eps = BatchNormConvention.Keras.Epsilon;
        double expected = GradientEntryOf(eps);
        if (double.IsNaN(answer) || double.IsNaN(h) || double.IsNaN(xHatPlus) || double.IsNaN(xHatMinus))
        {
            Exercise.Report(name, null, null);
            return;
        }

        double torch = GradientEntryOf(BatchNormConvention.PyTorch.Epsilon);
        double[] x = [.. GradientBatch];
        double mean = x.Average(), variance = x.Average(v => (v - mean) * (v - mean));
        double diagonalOnly = 1 / Math.Sqrt(variance + eps);
        bool hRight = h > 0 && h <= 1e-2;
        double plus = hRight ? NudgedXHat0(h, eps) : double.NaN, minus = hRight ? NudgedXHat0(-h, eps) : double.NaN;
        bool plusRight = hRight && Math.Abs(xHatPlus - plus) <= 1e-9, minusRight = hRight && Math.Abs(xHatMinus - minus) <= 1e-9;
        bool quotientRight = Near(answer, (xHatPlus - xHatMinus) / (2 * h), 3);
        bool answerRight = Near(answer, expected, 3);
        bool right = hRight && plusRight && minusRight && quotientRight && answerRight;
        string? hint = right ? null
            : !hRight ? "Choose a small nudge h > 0, at most 1e-2 (1e-6 works well in double precision)."
            : !plusRight || !minusRight ? (Math.Abs(xHatPlus - NudgedXHat0(h, BatchNormConvention.PyTorch.Epsilon)) <= 1e-9
                ? "Those are x̂₀ values for PyTorch's ε = 1e-5; this exercise uses Keras's ε = 1e-3."
                : "x̂₀(x₀ ± h): put x₀ ± h in place of x₀, recompute the batch's mean and variance (divide by m), then (x₀ ± h − μ)/√(σ² + ε).")
            : !quotientRight ? "The derivative is the centred difference of your two values: (x̂₀(x₀ + h) − x̂₀(x₀ − h)) / (2h)."
            : Near(answer, torch, 3) ? "That is the value for PyTorch's ε = 1e-5; this exercise uses Keras's ε = 1e-3."
            : Near(answer, diagonalOnly, 3) ? "Moving x₀ also moves μ_B and σ²_B, which every x̂ uses: nudge x₀ and recompute the batch statistics too."
            : "Your difference quotient is not yet the derivative to 3 digits: try a smaller h (1e-6).";
        Exercise.Report(name, right, hint, Exercise.ShownDigits(expected, 3));
    }

    /// <summary>
    /// Exercise 5: for ε = 3e-6 in float32, (a) the smallest float32 variance v ≥ 1 at which adding ε is lost
    /// (v + ε == v), exact; (b) the smallest positive float32 ε′ with v + ε′ != v there (just above half the spacing:
    /// an exact half is a tie that rounds to the even v), asked to 2 significant digits; (c) whether v plus exactly half
    /// the spacing at v differs from v (false: the tie rounds to the even v; at 2 digits (b) cannot tell the float just
    /// above half the spacing from the half itself, so (c) catches that slip). One verdict for all three, so a lucky
    /// guess of (a) or (c) does not pass.
    /// </summary>
    public static void Float32Vanishing(double variance, double smallestChange, bool? halfSpacingChanges)
    {
        const string name = "5 · where ε vanishes in float32";
        float eps = Float32Epsilon;
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

        float spacing = MathF.BitIncrement(v) - v, change = spacing / 2;
        while (v + change == v)
        {
            change = MathF.BitIncrement(change);
        }

        bool tieChanges = v + (spacing / 2) != v;
        if (double.IsNaN(variance) || double.IsNaN(smallestChange) || halfSpacingChanges is null)
        {
            Exercise.Report(name, null, null);
            return;
        }

        bool varianceRight = variance == v;
        bool changeRight = Near(smallestChange, change, 2), tieRight = halfSpacingChanges == tieChanges;
        string? hint = varianceRight && changeRight && tieRight ? null
            : variance == v / 2 ? "At that variance adding ε still changes the float: half the spacing there is below ε. Go one step further."
            : !varianceRight ? "Search in float32: start at v = 1f and double v while v + 3e-6f != v; the first v where it no longer changes is (a)."
            : Near(smallestChange, spacing, 2) ? "That is the spacing to the next float; v + ε′ rounds to the nearest float, so less than the spacing is enough."
            : !changeRight ? "(b): v + ε′ lands between v and the next float32 and rounds to the nearer one; how far must it get?"
            : "(c): exactly half the spacing is a tie; ties round to the neighbour whose last bit is even. Which neighbour is that at v?";
        Exercise.Report(name, varianceRight && changeRight && tieRight, hint, $"{v:R}, {Exercise.ShownDigits(change, 2)}, {tieChanges}");
    }

    /// <summary>Exercise 5's ε, 3e-6 in float32.</summary>
    internal const float Float32Epsilon = 3e-6f;

    /// <summary>x̂₀ of <see cref="GradientBatch"/> with x₀ moved by <paramref name="shift"/>, from the batch's own statistics.</summary>
    private static double NudgedXHat0(double shift, double epsilon)
    {
        double[] x = [.. GradientBatch];
        x[0] += shift;
        double mean = x.Average(), variance = x.Average(v => (v - mean) * (v - mean));
        return (x[0] - mean) / Math.Sqrt(variance + epsilon);
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
