namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/02-internal-covariate-shift. Each method computes its expected value here, out of the
/// students' sight, from the notebook's own data and runs passed in, and prints the verdict through
/// <see cref="Exercise"/>: ✅, ❌ with a hint that does not give the answer, or "not answered yet".
/// </summary>
public static class InternalCovariateShiftExercises
{
    /// <summary>Exercise 4's half-width of noisy BN's random shift: four times section 4's, m ~ U(−4, 4).</summary>
    public const double WideShift = 4;

    /// <summary>The number of photos in <see cref="LargeTest"/>.</summary>
    public const int LargeTestCount = 20_000;

    /// <summary>
    /// Exercise 1's measurement set: <see cref="LargeTestCount"/> fresh test photos of the dog-on-water generator
    /// (<see cref="CovariateShiftData.Generate"/>, seed 3, background independent of the label).
    /// </summary>
    public static Dataset<double> LargeTest() => CovariateShiftData.Generate(LargeTestCount, seed: 3).Test;

    /// <summary>
    /// Exercise 1 (predict, then measure): (a) the best test accuracy any rule on the object feature alone can reach by
    /// the generator's settings (dog N(+1, 1), not dog N(−1, 1), labels half and half): threshold 0, accuracy
    /// Φ(1) = 0.8413 (computed here by integrating the normal density, not by the code under test); (b) the accuracy
    /// of the rule "dog if and only if object &gt; 0" measured on <paramref name="largeTest"/> (the notebook passes
    /// <see cref="LargeTest"/>). (a) asked to 4 significant digits (0.841 is also a data value in the handout's tables), (b) to 3;
    /// (c) with a share p = <see cref="DogShare"/> of dogs (same two normals) the best threshold is ln((1 − p)/p)/2 = −0.5493
    /// and its accuracy p·Φ(1 − t) + (1 − p)·Φ(1 + t) = 0.8730, asked to 3 and 4 significant digits (the (a) answer alone is
    /// a guess plus a table look-up; (c) is not). One verdict for all.
    /// </summary>
    public static void ObjectRule(double predicted, double measured, double threshold, double accuracy, Dataset<double> largeTest)
    {
        ArgumentNullException.ThrowIfNull(largeTest);
        const string name = "1 · the object rule, predicted and measured";
        if (double.IsNaN(predicted) || double.IsNaN(measured) || double.IsNaN(threshold) || double.IsNaN(accuracy))
        {
            Exercise.Report(name, null, null);
            return;
        }

        double best = NormalCdf(1), got = RuleAccuracy(largeTest, column: 0);
        bool predictedRight = EpsilonExercises.Near(predicted, best, 4), measuredRight = EpsilonExercises.Near(measured, got, 3);
        double p = DogShare, t = Math.Log((1 - p) / p) / 2, shareAccuracy = (p * NormalCdf(1 - t)) + ((1 - p) * NormalCdf(1 + t));
        bool thresholdRight = EpsilonExercises.Near(threshold, t, 3), shareRight = EpsilonExercises.Near(accuracy, shareAccuracy, 4);
        bool allRight = predictedRight && measuredRight && thresholdRight && shareRight;
        string? hint = allRight ? null
            : !predictedRight && EpsilonExercises.Near(predicted, best, 3) ? "(a) is asked to 4 significant digits."
            : !predictedRight && EpsilonExercises.Near(predicted, 0.95, 3) ? "(a): 0.95 is how often the training background agrees with the label; (a) asks about the object feature."
            : !predictedRight && EpsilonExercises.Near(predicted, got, 3) ? "(a) asks for the prediction from the generator's settings, before any data: a normal probability."
            : !predictedRight && EpsilonExercises.Near(predicted, NormalCdf(2), 3) ? "(a): the dogs' object feature has standard deviation 1, and the best threshold lies halfway between the two means."
            : !predictedRight ? "(a): with equal class shares the best threshold lies halfway between the means, at 0; a dog is right when N(+1, 1) > 0, a non-dog when N(−1, 1) < 0."
            : EpsilonExercises.Near(measured, RuleAccuracy(largeTest, column: 1), 3) ? "(b): that is the background rule; the question is about column 0, the object."
            : !measuredRight ? "(b): count the rows of InternalCovariateShiftExercises.LargeTest() whose sign of column 0 agrees with the label, and divide by the number of rows."
            : Math.Abs(threshold) < 5e-4 ? "(c): with more dogs than non-dogs the threshold is no longer halfway: predict dog where p·φ(x − 1) > (1 − p)·φ(x + 1)."
            : EpsilonExercises.Near(threshold, -t, 3) ? "(c): the sign of the threshold: with more dogs, more of the middle ground should be called dog."
            : !thresholdRight ? "(c): take logarithms of p·φ(x − 1) > (1 − p)·φ(x + 1); the squares' x² terms cancel and leave a linear inequality in x."
            : EpsilonExercises.Near(accuracy, best, 4) || EpsilonExercises.Near(accuracy, p, 4)
                ? "(c): weight each class's probability of being right at the new threshold t by its share: p·P(N(+1, 1) > t) + (1 − p)·P(N(−1, 1) < t)."
            : !EpsilonExercises.Near(accuracy, shareAccuracy, 3) ? "(c): p·P(N(+1, 1) > t) + (1 − p)·P(N(−1, 1) < t), i.e. p·Φ(1 − t) + (1 − p)·Φ(1 + t)."
            : "(c): the accuracy is asked to 4 significant digits.";
        Exercise.Report(name, allRight, hint,
            $"{Exercise.ShownDigits(best, 4)}, {Exercise.ShownDigits(got, 3)}, {Exercise.ShownDigits(t, 3)}, {Exercise.ShownDigits(shareAccuracy, 4)}");
    }

    /// <summary>Exercise 1(c)'s share of dogs among the photos (the generator's is one half).</summary>
    public const double DogShare = 0.75;

    /// <summary>Φ(x) for x ≥ 0, by the midpoint rule on the standard normal density over [0, x] (100,000 panels).</summary>
    private static double NormalCdf(double x)
    {
        const int panels = 100_000;
        double h = x / panels, sum = 0;
        for (int k = 0; k < panels; k++)
        {
            double t = (k + 0.5) * h;
            sum += Math.Exp(-t * t / 2);
        }

        return 0.5 + (sum * h / Math.Sqrt(2 * Math.PI));
    }

    /// <summary>
    /// Exercise 2: the fraction of the test set <paramref name="test"/> that the rule "dog if and only if object +
    /// background &gt; 0" (columns 0 and 1 weighted equally) classifies right; asked to 3 significant digits.
    /// </summary>
    public static void EqualWeightsRule(double answer, Dataset<double> train, Dataset<double> test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        Exercise.CheckDigits("2 · equal weights on the test set", answer, SumRuleAccuracy(test), significantDigits: 3,
            hint: EpsilonExercises.Near(answer, RuleAccuracy(test, 0), 3) ? "That is the object rule alone; add the background column before taking the sign."
                : EpsilonExercises.Near(answer, RuleAccuracy(test, 1), 3) ? "That is the background rule alone; add the object column before taking the sign."
                : EpsilonExercises.Near(answer, SumRuleAccuracy(train), 3) ? "That is the training set; the question is about the test set."
                : "For each test row, predict dog when column 0 + column 1 > 0; count the rows where that agrees with the label and divide by the number of rows.");
    }

    /// <summary>
    /// Exercise 3 (predict, then compare): section 4's shift of noisy BN predicted from its noise alone, with BN's own
    /// output fixed at batch mean β = 0 and batch standard deviation γ = 1: the mean becomes m and the standard deviation s,
    /// so the shift is the average of E|m_t − m_(t−1)| and E|s_t − s_(t−1)| for independent draws, m ~ U(−a, a) and
    /// s ~ U(lo, hi); for two independent uniform draws on an interval of width w, E|U − U′| = w/3. With
    /// <see cref="NoisyBatchNorm{T}"/>'s defaults (a = 1, s ∈ [0.5, 2]): (2/3 + 1.5/3)/2 = 0.5833. Asked to 3
    /// significant digits.
    /// </summary>
    public static void PredictedNoisyShift(double answer)
    {
        const string name = "3 · noisy BN's shift, predicted";
        var layer = new NoisyBatchNorm<double>(1, new SeededRandom(0));
        double meanPart = 2 * layer.MaxShift / 3, stdPart = (layer.MaxScale - layer.MinScale) / 3;
        double expected = (meanPart + stdPart) / 2;
        Exercise.CheckDigits(name, answer, expected, significantDigits: 3,
            hint: EpsilonExercises.Near(answer, meanPart, 3) ? "That is the mean's part only; the standard deviation moves too, with s, and Shift averages the two."
                : EpsilonExercises.Near(answer, meanPart + stdPart, 3) ? "Shift averages the two parts (the mean's and the standard deviation's), it does not add them."
                : EpsilonExercises.Near(answer, layer.MaxShift / 2, 3) || EpsilonExercises.Near(answer, (layer.MaxShift / 2 + ((layer.MaxScale - layer.MinScale) / 4)) / 2, 3)
                    ? "That is the mean distance of one draw from the centre; the shift compares two independent draws, one step apart."
                : "Mean part: E|m_t − m_(t−1)| for two independent U(−1, 1) draws; standard-deviation part: E|s_t − s_(t−1)| for U(0.5, 2); Shift is their average.");
    }

    /// <summary>
    /// Exercise 4 (predict, then measure): noisy BN with a shift range <see cref="WideShift"/> times as wide as
    /// section 4's (m ~ U(−4, 4)), trained on <paramref name="moons"/> at <paramref name="learningRate"/> from each of
    /// <paramref name="seeds"/> (250 steps, <see cref="CovariateShiftExperiments.Run"/>); the student gives the mean final
    /// loss over the seeds (3 significant digits; a diverged run makes it ∞) and how many of the seeds end below chance
    /// level, ln 2. One verdict for both: the count alone is guessable. The runs are repeated here (about a second).
    /// </summary>
    /// <param name="answerMeanLoss">The student's mean final loss (NaN: not answered).</param>
    /// <param name="answerSeedsBelowChance">The student's count of seeds below ln 2 (negative: not answered).</param>
    /// <param name="moons">The notebook's two-moons data.</param>
    /// <param name="seeds">The notebook's seeds.</param>
    /// <param name="learningRate">Section 4's shared η.</param>
    public static void NoisyWideShift(double answerMeanLoss, int answerSeedsBelowChance, Dataset<double> moons, IReadOnlyList<ulong> seeds, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(moons);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfZero(seeds.Count);
        const string name = "4 · noisy BN with a 4× wider shift";
        if (double.IsNaN(answerMeanLoss) || answerSeedsBelowChance < 0)
        {
            Exercise.Report(name, null, null);
            return;
        }

        double[] Losses(double shift) => [.. seeds.Select(s => CovariateShiftExperiments.Run(moons, NetKind.NoisyBatchNorm, s, learningRate, noisyShift: shift).FinalLoss())];
        double[] losses = Losses(WideShift);
        double mean = losses.Average();
        int below = losses.Count(l => l < Math.Log(2));
        bool meanRight = double.IsPositiveInfinity(mean) ? double.IsPositiveInfinity(answerMeanLoss) : EpsilonExercises.Near(answerMeanLoss, mean, 3);
        bool countRight = answerSeedsBelowChance == below;
        string? hint = meanRight && countRight ? null
            : meanRight ? "The mean is right; count the seeds whose own final loss is below ln 2 ≈ 0.693."
            : EpsilonExercises.Near(answerMeanLoss, losses[0], 3) ? "That is the first seed alone; average the final losses over all the seeds."
            : EpsilonExercises.Near(answerMeanLoss, Losses(1).Average(), 3) ? "That is section 4's noisy BN; pass noisyShift: InternalCovariateShiftExercises.WideShift."
            : "Run CovariateShiftExperiments.Run(moons, NetKind.NoisyBatchNorm, seed, MoonEta, noisyShift: 4) for each seed and average FinalLoss().";
        Exercise.Report(name, meanRight && countRight, hint,
            $"{(double.IsPositiveInfinity(mean) ? "∞" : Exercise.ShownDigits(mean, 3))}, {below} of {losses.Length} seeds below ln 2");
    }

    private static double SumRuleAccuracy(Dataset<double> data) =>
        Enumerable.Range(0, data.Count).Count(i => (data.X[i, 0] + data.X[i, 1] > 0 ? 1 : 0) == data.Y[i, 0]) / (double)data.Count;

    private static double RuleAccuracy(Dataset<double> data, int column) =>
        Enumerable.Range(0, data.Count).Count(i => (data.X[i, column] > 0 ? 1 : 0) == data.Y[i, 0]) / (double)data.Count;
}
