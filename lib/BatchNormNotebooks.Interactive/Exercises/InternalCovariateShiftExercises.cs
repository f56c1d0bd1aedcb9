using System.Globalization;

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

    /// <summary>
    /// Exercise 1: the fraction of the training set <paramref name="train"/> (dog-on-water data, column 1 = background)
    /// that the rule "dog if and only if background &gt; 0" classifies right; asked to 3 significant digits.
    /// </summary>
    public static void BackgroundRule(double answer, Dataset<double> train, Dataset<double> test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        Exercise.CheckDigits("1 · background rule", answer, RuleAccuracy(train, column: 1), significantDigits: 3,
            hint: EpsilonExercises.Near(answer, RuleAccuracy(test, 1), 3) ? "That is the test set; the question is about the training set."
                : EpsilonExercises.Near(answer, 0.95, 3) ? "0.95 is the agreement the generator aims at; count on the drawn data."
                : "Count the training rows whose sign of column 1 agrees with the label, and divide by the number of rows.");
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
    /// Exercise 3: how many times as large the step-to-step shift of the layer input is with noisy BN as without BN
    /// (default init), each shift averaged over the seeds of <paramref name="noisy"/> and <paramref name="plain"/>;
    /// asked to 3 significant digits. Right when it matches, to 3 significant digits, either the ratio of the unrounded
    /// means or the ratio of the means as the notebook prints them (<see cref="PrintedShift"/>, 3 significant digits), so a
    /// student who divides the printed numbers is not marked wrong.
    /// </summary>
    public static void NoisyShiftRatio(double answer, IReadOnlyList<MoonRun> noisy, IReadOnlyList<MoonRun> plain)
    {
        ArgumentNullException.ThrowIfNull(noisy);
        ArgumentNullException.ThrowIfNull(plain);
        double noisyShift = noisy.Average(r => r.Shift), plainShift = plain.Average(r => r.Shift);
        double ratio = noisyShift / plainShift;
        double printedRatio = PrintedShift(noisyShift) / PrintedShift(plainShift);
        double perSeed = noisy.Zip(plain, (n, p) => n.Shift / p.Shift).Average();
        const string name = "3 · noisy BN shift ratio";
        if (double.IsNaN(answer))
        {
            Exercise.Report(name, null, null);
            return;
        }

        bool right = EpsilonExercises.Near(answer, ratio, 3) || EpsilonExercises.Near(answer, printedRatio, 3);
        string? hint = right ? null
            : EpsilonExercises.Near(answer, perSeed, 3) ? "That averages the per-seed ratios; the question divides the two averaged shifts."
            : EpsilonExercises.Near(answer, 1 / ratio, 3) ? "Upside down: noisy BN's shift is the larger one."
            : "Average each kind's Shift over its seeds, then divide noisy BN's by no BN's (default init).";
        Exercise.Report(name, right, hint, Exercise.ShownDigits(ratio, 3));
    }

    /// <summary>A mean shift as section 4's table prints it: rounded to 3 significant digits (format "G3").</summary>
    public static double PrintedShift(double shift) =>
        double.Parse(shift.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

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
