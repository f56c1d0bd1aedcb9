namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/01-backprop-recap. Each method computes its expected value here, out of the students'
/// sight (from the notebook's own objects where the answer depends on them), and prints the verdict through
/// <see cref="Exercise"/>: ✅, ❌ with a hint that does not give the answer, or "not answered yet".
/// </summary>
public static class BackpropExercises
{
    private static readonly Type[] ForbiddenInGradient =
        [typeof(Linear<>), typeof(Sequential<>), typeof(Sigmoid<>), typeof(Tanh<>), typeof(BinaryCrossEntropy<>), typeof(Value), typeof(GradientCheck)];

    /// <summary>
    /// Exercise 1: the neuron's output ŷ = σ(z₁₁), z₁₁ = w₁x₁ + w₂x₂ + b of <paramref name="neuron"/> (the notebook's
    /// Linear(2→1)), for the row (6, 8), asked to 3 significant digits.
    /// </summary>
    public static void ForwardPass(double answer, Linear<double> neuron)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        double z = neuron.Forward(Matrix<double>.FromRows([[6.0, 8.0]]))[0, 0];
        double noBias = 1 / (1 + Math.Exp(-(z - neuron.Bias!.Value[0])));
        Exercise.CheckDigits("1 · forward pass", answer, 1 / (1 + Math.Exp(-z)), significantDigits: 3,
            hint: EpsilonExercises.Near(answer, z, 3) ? "That is z₁₁; the neuron's output is the sigmoid of it."
                : EpsilonExercises.Near(answer, noBias, 3) ? "z₁₁ has three terms: w₁x₁ + w₂x₂ + b."
                : "ŷ = σ(w₁x₁ + w₂x₂ + b) with x₁ = 6, x₂ = 8, the same w₁, w₂, b as above and σ(z) = 1/(1 + e^(−z)).");
    }

    /// <summary>
    /// Exercise 2: the student's function returns ∂L/∂X, shape (m, 2), of the network 2 → 3 → 1 (tanh hidden units, unlike
    /// the notebook's sigmoid ones; sigmoid output, mean binary cross-entropy over the m rows) with Z¹ = XW¹ + b¹ (W¹: 2 × 3), Z² = A¹W² + b²
    /// (W²: 3 × 1). Checked on two seeded batches (m = 5 and m = 3) against the library's backward, to 1e-9 relative
    /// to the largest entry. A function that calls the library's layers, loss, <see cref="Value"/> or
    /// <see cref="GradientCheck"/> is rejected; one that still throws <see cref="NotImplementedException"/> is "not
    /// answered". A wrong result gets a pointed hint for the usual slips (no 1/m, no g′(z¹), the sigmoid's a(1 − a) for
    /// the tanh's 1 − a², ŷ − y flipped, the shape of ∂L/∂W¹ instead of ∂L/∂X).
    /// </summary>
    public static void InputGradient(Func<Matrix<double>, Matrix<double>, Matrix<double>, double[], Matrix<double>, double[], Matrix<double>> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        const string name = "2 · ∂L/∂X through the hidden layer";
        var calls = LibraryCalls.Find([answer], ForbiddenInGradient);
        if (calls.Count > 0)
        {
            Exercise.Report(name, false, $"Your function uses the library ({string.Join(", ", calls.Take(3))}): compute the forward and backward yourself with loops over x[i, j] and Math.Exp.");
            return;
        }

        foreach (var (seed, rows) in new[] { (101UL, 5), (102UL, 3) })
        {
            var c = GradientCase(seed, rows);
            Matrix<double> got;
            try
            {
                got = answer(c.X.Clone(), c.Y.Clone(), c.W1.Clone(), [.. c.B1], c.W2.Clone(), [.. c.B2]);
            }
            catch (NotImplementedException)
            {
                Exercise.Report(name, null, null);
                return;
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException or NullReferenceException or ArithmeticException)
            {
                Exercise.Report(name, false, $"Your function threw {e.GetType().Name}: {e.Message}");
                return;
            }

            string? hint = GradientHint(got, c);
            if (hint is not null)
            {
                Exercise.Report(name, false, hint);
                return;
            }
        }

        Exercise.Report(name, true, null);
    }

    /// <summary>
    /// Exercise 3: ∂L/∂w₂ of <paramref name="neuron"/> on the board's row (6, 8) (not the row the notebook prints), label y = 1, when the loss is the squared
    /// error L = ½(a − y)² instead of the cross-entropy: (a − y)·a(1 − a)·x₂, asked to 3 significant digits (a from the
    /// library's forward on the neuron; the neuron's gradients stay untouched).
    /// </summary>
    public static void OtherLoss(double answer, Linear<double> neuron)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        const double x2 = 8, y = 1;
        double z = neuron.Forward(Matrix<double>.FromRows([[6.0, x2]]))[0, 0];
        double a = 1 / (1 + Math.Exp(-z)), slope = a * (1 - a);
        double expected = (a - y) * slope * x2;
        double aPrinted = 1 / (1 + Math.Exp(-neuron.Forward(Matrix<double>.FromRows([[10.0, 12.0]]))[0, 0]));
        Exercise.CheckDigits("3 · another loss", answer, expected, significantDigits: 3,
            hint: EpsilonExercises.Near(answer, (a - y) * x2, 3) ? "That is the cross-entropy's gradient; with the squared error the sigmoid's slope a(1 − a) no longer cancels."
                : EpsilonExercises.Near(answer, (aPrinted - y) * aPrinted * (1 - aPrinted) * 12, 3) ? "That is the row (10, 12) of the sections above; this exercise asks for the row (6, 8)."
                : EpsilonExercises.Near(answer, 2 * expected, 3) ? "L = ½(a − y)²: the ½ cancels the 2 of the square."
                : EpsilonExercises.Near(answer, -expected, 3) ? "The sign: ∂L/∂a = a − y, and a < y here."
                : EpsilonExercises.Near(answer, (a - y) * slope, 3) ? "That is ∂L/∂z; ∂z/∂w₂ = x₂ is one more factor."
                : "Chain rule: ∂L/∂a = a − y for L = ½(a − y)², times ∂a/∂z = a(1 − a), times ∂z/∂w₂ = x₂.");
    }

    /// <summary>
    /// Exercise 4: (a) float32's predicted best centred-difference step h* = (3·2⁻²⁴·|L| / |L‴|)^(1/3) for the loss
    /// L(w₁) = −log σ(w₁x₁ + w₂x₂ + b) (y = 1) of <paramref name="neuron"/> on the row (6, 8), L‴ = x₁³a(1 − a)(1 − 2a),
    /// asked to 2 significant digits; (b) in the same error model E(h) = h²|L‴|/6 + ε|L|/h, the ratio of float32's
    /// smallest error E(h*) to float64's for any loss: E(h*) = ½(3ε|L|)^(2/3)·|L‴|^(1/3) ∝ ε^(2/3), so the
    /// ratio is (2⁻²⁴/2⁻⁵³)^(2/3) = 2^(58/3), asked to 3 significant digits. One verdict for both.
    /// </summary>
    public static void PredictedStep(double step, double factor, Linear<double> neuron)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        const string name = "4 · the predicted step and error";
        double z = neuron.Forward(Matrix<double>.FromRows([[6.0, 8.0]]))[0, 0];
        double a = 1 / (1 + Math.Exp(-z)), loss = -Math.Log(a), third = Math.Abs(6.0 * 6 * 6 * a * (1 - a) * (1 - 2 * a));
        double HStar(double unitRoundOff, double l3) => Math.Cbrt(3 * unitRoundOff * loss / l3);
        double u32 = Math.Pow(2, -24), u64 = Math.Pow(2, -53), expected = HStar(u32, third);
        double Smallest(double u) { double h = HStar(u, third); return (h * h * third / 6) + (u * loss / h); }   // E(h*) of the model
        double expectedFactor = Smallest(u32) / Smallest(u64);
        if (double.IsNaN(step) || double.IsNaN(factor))
        {
            Exercise.Report(name, null, null);
            return;
        }

        bool stepRight = EpsilonExercises.Near(step, expected, 2), factorRight = EpsilonExercises.Near(factor, expectedFactor, 3);
        string? hint = stepRight && factorRight ? null
            : EpsilonExercises.Near(step, HStar(u64, third), 2) ? "(a) asks for float32: its unit round-off is 2⁻²⁴, not float64's 2⁻⁵³."
            : EpsilonExercises.Near(step, Math.Cbrt(u32 * loss / third), 2) ? "(a): the formula has a factor 3 under the cube root."
            : !stepRight ? "(a): z₁₁ = w₁·6 + w₂·8 + b, a = σ(z₁₁), L = −log a, |L‴| = 6³·a(1 − a)|1 − 2a|; then h* = (3·2⁻²⁴·L/|L‴|)^(1/3)."
            : EpsilonExercises.Near(factor, Math.Cbrt(u32 / u64), 3) ? "(b): that is the ratio of the steps h*; put h* back into the error E(h) and divide the errors."
            : EpsilonExercises.Near(factor, u32 / u64, 3) ? "(b): at h* both error terms shrink or grow together; E(h*) does not go with ε itself."
            : "(b): put h* = (3ε|L|/|L‴|)^(1/3) into E(h) = h²|L‴|/6 + ε|L|/h and see which power of ε is left; |L| and |L‴| cancel in the ratio.";
        Exercise.Report(name, stepRight && factorRight, hint, $"{Exercise.ShownDigits(expected, 2)}, {Exercise.ShownDigits(expectedFactor, 3)}");
    }

    /// <summary>
    /// Exercise 5: (a) the number of learnable numbers (weights and biases) of a 2 → 16 → 8 → 1 MLP, exact, and
    /// (b) the fraction of them that are biases, asked to 3 significant digits. One verdict for both.
    /// </summary>
    public static void ParameterCount(double count, double biasFraction)
    {
        var net = new Sequential<double>(new Linear<double>(2, 16, new SeededRandom(1)), new Sigmoid<double>(),
            new Linear<double>(16, 8, new SeededRandom(2)), new Sigmoid<double>(), new Linear<double>(8, 1, new SeededRandom(3)));
        int expected = net.Parameters.Sum(p => p.Value.Length);
        int biases = net.Parameters.Where(p => p.Name.EndsWith("bias", StringComparison.Ordinal)).Sum(p => p.Value.Length);
        const string name = "5 · parameter count";
        if (double.IsNaN(count) || double.IsNaN(biasFraction))
        {
            Exercise.Report(name, null, null);
            return;
        }

        bool countRight = count == expected, fractionRight = EpsilonExercises.Near(biasFraction, biases / (double)expected, 3);
        string? hint = countRight && fractionRight ? null
            : count == expected - biases ? "Every Linear also has one bias per output."
            : !countRight ? "A Linear(in→out) has in·out weights and out biases; add the three layers."
            : "The count is right; now the biases alone (one per output of each Linear) over that count.";
        Exercise.Report(name, countRight && fractionRight, hint, $"{expected}, {Exercise.ShownDigits(biases / (double)expected, 3)}");
    }

    private sealed record Case(Matrix<double> X, Matrix<double> Y, Matrix<double> W1, double[] B1, Matrix<double> W2, double[] B2, Matrix<double> Expected, Matrix<double> NoMean, Matrix<double> NoDerivative, Matrix<double> SigmoidSlope);

    private static Case GradientCase(ulong seed, int rows)
    {
        var random = new SeededRandom(seed);
        var x = Matrix<double>.RandomNormal(rows, 2, random);
        var y = new Matrix<double>(rows, 1);
        for (int i = 0; i < rows; i++)
        {
            y[i, 0] = i % 2;
        }

        var l1 = new Linear<double>(2, 3, random, name: "l1");
        var l2 = new Linear<double>(3, 1, random, name: "l2");
        for (int k = 0; k < l2.Weight.Value.Length; k++)
        {
            l2.Weight.Value[k] *= 3;   // a hidden layer that matters: larger output weights than the default init
        }

        var net = new Sequential<double>(l1, new Tanh<double>(), l2, new Sigmoid<double>());
        var loss = new BinaryCrossEntropy<double>();
        loss.Forward(net.Forward(x), y);
        var expected = net.Backward(loss.Backward());

        // The usual slips, computed by hand: δ² without 1/m, δ¹ without g′(z¹), δ¹ with the sigmoid's slope a(1 − a).
        var all = net.ForwardAll(x);
        var yHats = all[3];
        var hidden = all[1];
        var w1 = l1.WeightMatrix.Clone();
        var w2 = l2.WeightMatrix.Clone();
        var noDerivative = new Matrix<double>(rows, 2);
        var sigmoidSlope = new Matrix<double>(rows, 2);
        for (int i = 0; i < rows; i++)
        {
            double d2 = (yHats[i, 0] - y[i, 0]) / rows;
            for (int k = 0; k < 2; k++)
            {
                double sum = 0, sigmoidSum = 0;
                for (int j = 0; j < 3; j++)
                {
                    sum += d2 * w2[j, 0] * w1[k, j];
                    sigmoidSum += d2 * w2[j, 0] * hidden[i, j] * (1 - hidden[i, j]) * w1[k, j];
                }

                noDerivative[i, k] = sum;
                sigmoidSlope[i, k] = sigmoidSum;
            }
        }

        var noMean = expected.Clone();
        for (int k = 0; k < noMean.Data.Length; k++)
        {
            noMean.Data[k] *= rows;
        }

        return new Case(x, y, w1, [.. l1.Bias!.Value], w2, [.. l2.Bias!.Value], expected, noMean, noDerivative, sigmoidSlope);
    }

    private static string? GradientHint(Matrix<double>? got, Case c)
    {
        if (got is null || got.Rows != c.X.Rows || got.Cols != c.X.Cols)
        {
            return $"∂L/∂X has the shape of X, ({c.X.Rows}, {c.X.Cols}); yours is {(got is null ? "null" : $"({got.Rows}, {got.Cols})")}.";
        }

        double scale = c.Expected.Data.Max(Math.Abs);
        bool Same(Matrix<double> m) => got.Data.Zip(m.Data).All(p => Math.Abs(p.First - p.Second) <= 1e-9 * scale);
        if (Same(c.Expected))
        {
            return null;
        }

        if (got.Data.Any(v => !double.IsFinite(v)))
        {
            return "Your gradient has NaN or ∞ entries.";
        }

        var flipped = c.Expected.Clone();
        for (int k = 0; k < flipped.Data.Length; k++)
        {
            flipped.Data[k] = -flipped.Data[k];
        }

        return Same(c.NoMean) ? "The loss is the mean over the m rows, so δ² carries a factor 1/m."
            : Same(flipped) ? "The sign is flipped: δ² = ∂L/∂z² for one row is ŷ − y (over m), not y − ŷ."
            : Same(c.NoDerivative) ? "Between the hidden layer's output a¹ and its input z¹ sits the tanh: multiply by g′(z¹) elementwise."
            : Same(c.SigmoidSlope) ? "The hidden units are tanh here, not sigmoid: g′(z) = 1 − tanh²(z) = 1 − a², not a(1 − a)."
            : "Go step by step and compare with the cell above: ŷ, then δ², then δ¹; ∂L/∂X follows from Z¹ = XW¹ + b¹ as ∂L/∂A¹ follows from Z² = A¹W² + b².";
    }
}
