using System.Globalization;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/02-internal-covariate-shift. Each method computes its expected value here, out of the
/// students' sight, from the notebook's own data and runs passed in, and prints the verdict through
/// <see cref="Exercise"/>: ✅, ❌ with a hint that does not give the answer, or "not answered yet".
/// </summary>
public static class InternalCovariateShiftExercises
{
    /// <summary>The learning rate of Exercise 4, where both networks without batch norm fail in the sweep.</summary>
    public const double LargeRate = 10;

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
    /// Exercise 4 (predict, then measure): noisy BN trained on <paramref name="moons"/> at η = <see cref="LargeRate"/>
    /// from <paramref name="seed"/> (250 steps, <see cref="CovariateShiftExperiments.Run"/>); the student gives its
    /// final loss (4 significant digits; a diverged run is ∞) and whether it "trains" (final loss below ln 2, chance
    /// level) or "fails". One verdict for both. The expected run is repeated here (a fraction of a second).
    /// </summary>
    public static void NoisyAtLargeRate(double answerLoss, string? answerVerdict, Dataset<double> moons, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(moons);
        const string name = "4 · noisy BN at η = 10";
        if (double.IsNaN(answerLoss) || string.IsNullOrWhiteSpace(answerVerdict))
        {
            Exercise.Report(name, null, null);
            return;
        }

        double loss = CovariateShiftExperiments.Run(moons, NetKind.NoisyBatchNorm, seed, LargeRate).FinalLoss();
        string verdict = loss < Math.Log(2) ? "trains" : "fails";
        bool lossRight = double.IsPositiveInfinity(loss) ? double.IsPositiveInfinity(answerLoss) : EpsilonExercises.Near(answerLoss, loss, 4);
        bool verdictRight = string.Equals(answerVerdict.Trim(), verdict, StringComparison.OrdinalIgnoreCase);
        string? hint = lossRight && verdictRight ? null
            : !lossRight ? "Run CovariateShiftExperiments.Run(moons, NetKind.NoisyBatchNorm, seeds[0], 10) and read FinalLoss(); check the kind, the seed and η."
            : "The loss is right; compare it with chance level, ln 2 ≈ 0.693 for two classes: below it the network has learned something.";
        Exercise.Report(name, lossRight && verdictRight, hint, $"{(double.IsPositiveInfinity(loss) ? "∞" : Exercise.ShownDigits(loss, 4))}, {verdict}");
    }

    private static double SumRuleAccuracy(Dataset<double> data) =>
        Enumerable.Range(0, data.Count).Count(i => (data.X[i, 0] + data.X[i, 1] > 0 ? 1 : 0) == data.Y[i, 0]) / (double)data.Count;

    private static double RuleAccuracy(Dataset<double> data, int column) =>
        Enumerable.Range(0, data.Count).Count(i => (data.X[i, column] > 0 ? 1 : 0) == data.Y[i, 0]) / (double)data.Count;
}
