using System.Globalization;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// A sentence of the notebook, checked as the notebook runs, printed with its number and its bound:
/// <c>Claim.Ratio("without BN the median travels several times as far", plain, bn, atLeast: 3)</c> prints
/// <c>✓ without BN the median travels several times as far (7.2× ≥ 3×)</c>. A false claim throws
/// <see cref="ClaimFailedException"/>, so the cell fails and the handout build stops naming notebook and cell.
/// The builder lists every printed claim in handouts/report.json with its value, bound and seeds.
/// </summary>
/// <remarks>
/// <para>Word the claim like the markdown sentence it backs and pick the bound from the wording table in
/// notebooks/README.md ("several times" ≥ 3×, "about x" within 10 %, "most" &gt; 50 %, "a result" = a paired
/// comparison over seeds with sign-test p &lt; 0.05).</para>
/// <para>A check whose condition is an identity or arithmetic on constants (x − x = 0, <c>10000f + 1e-5f == 10000f</c>)
/// is not a claim: print it with <see cref="Demonstrate"/>, which the report does not count.</para>
/// <para>Every typed claim ends in one parenthesis whose last segment is <c>value op bound</c> (op one of
/// ≥ ≤ &gt; &lt; ∈); claims over seeds also say "N seeds". The builder reads those back into report.json.</para>
/// </remarks>
public static class Claim
{
    /// <summary>The prefix of a claim line in a cell's output (the builder looks for it).</summary>
    public const string Mark = "✓ ";

    /// <summary>The prefix of a demonstration line (an identity shown, not a claim; the report does not count it).</summary>
    public const string DemonstrationMark = "≡ ";

    /// <summary>The sign-test level below which a paired comparison is "a result" (the wording table).</summary>
    public const double SignificanceLevel = 0.05;

    /// <summary>Prints <c>✓ statement (evidence)</c> when <paramref name="holds"/>; throws otherwise.</summary>
    /// <param name="statement">The sentence, as the prose says it.</param>
    /// <param name="holds">The computed truth of the sentence.</param>
    /// <param name="evidence">The numbers behind it, e.g. "97.1 % vs 93.4 %" (required: a claim shows its numbers).</param>
    /// <exception cref="ClaimFailedException">The claim is false.</exception>
    public static void That(string statement, bool holds, string evidence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(evidence);
        Print(Mark, statement, holds, evidence);
    }

    /// <summary>Claims <c>value ≥ bound</c>, e.g. "at least 95 % on every seed". Prints <c>(value ≥ bound)</c>.</summary>
    /// <param name="statement">The sentence.</param>
    /// <param name="value">The measured number.</param>
    /// <param name="bound">The smallest value the sentence allows.</param>
    /// <param name="format">.NET format for value and bound ("G3", "F2", "P1", …).</param>
    /// <param name="unit">Appended to both numbers (e.g. "×", " s").</param>
    /// <param name="evidence">Optional numbers printed before the comparison.</param>
    public static void AtLeast(string statement, double value, double bound, string format = "G3", string unit = "", string? evidence = null) =>
        Compare(statement, value, bound, value >= bound, "≥", format, unit, evidence);

    /// <summary>Claims <c>value ≤ bound</c>. Prints <c>(value ≤ bound)</c>.</summary>
    /// <inheritdoc cref="AtLeast" path="/param"/>
    public static void AtMost(string statement, double value, double bound, string format = "G3", string unit = "", string? evidence = null) =>
        Compare(statement, value, bound, value <= bound, "≤", format, unit, evidence);

    /// <summary>Claims <c>value &gt; bound</c> (strict), e.g. "higher than". Prints <c>(value &gt; bound)</c>.</summary>
    /// <inheritdoc cref="AtLeast" path="/param"/>
    public static void Above(string statement, double value, double bound, string format = "G3", string unit = "", string? evidence = null) =>
        Compare(statement, value, bound, value > bound, ">", format, unit, evidence);

    /// <summary>Claims <c>value &lt; bound</c> (strict), e.g. "lower than". Prints <c>(value &lt; bound)</c>.</summary>
    /// <inheritdoc cref="AtLeast" path="/param"/>
    public static void Below(string statement, double value, double bound, string format = "G3", string unit = "", string? evidence = null) =>
        Compare(statement, value, bound, value < bound, "<", format, unit, evidence);

    /// <summary>
    /// Claims <c>numerator / denominator ≥ atLeast</c>, e.g. "several times as far" (≥ 3×). Prints
    /// <c>(a vs b; 7.2× ≥ 3×)</c>. Both numbers must be positive.
    /// </summary>
    /// <param name="statement">The sentence.</param>
    /// <param name="numerator">The larger side as the sentence says it.</param>
    /// <param name="denominator">The side it is compared with.</param>
    /// <param name="atLeast">The smallest ratio the wording allows (the wording table).</param>
    /// <param name="format">.NET format of the two numbers.</param>
    public static void Ratio(string statement, double numerator, double denominator, double atLeast, string format = "G3")
    {
        if (!(numerator > 0) || !(denominator > 0))
        {
            throw new ArgumentException($"A ratio claim needs two positive numbers (got {Num(numerator, format)} and {Num(denominator, format)}).");
        }

        double ratio = numerator / denominator;
        string evidence = $"{Num(numerator, format)} vs {Num(denominator, format)}; {Num(ratio, Sig(ratio))}× ≥ {Num(atLeast, "G3")}×";
        Print(Mark, statement, ratio >= atLeast, evidence);
    }

    /// <summary>Claims <c>|value − target| ≤ tolerance</c> (absolute). Prints <c>(value ∈ target ± tolerance)</c>.</summary>
    /// <param name="statement">The sentence.</param>
    /// <param name="value">The measured number.</param>
    /// <param name="target">The number the sentence names.</param>
    /// <param name="tolerance">The largest distance the sentence allows.</param>
    /// <param name="format">.NET format of the numbers.</param>
    /// <param name="unit">Appended to the numbers.</param>
    public static void Within(string statement, double value, double target, double tolerance, string format = "G3", string unit = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        bool holds = Math.Abs(value - target) <= tolerance;
        Print(Mark, statement, holds, $"{Num(value, format)}{unit} ∈ {Num(target, format)}{unit} ± {Num(tolerance, format)}{unit}");
    }

    /// <summary>
    /// Claims "about <paramref name="target"/>": within <paramref name="relative"/> (default 10 %, the wording table) of
    /// it. Prints <c>(value ∈ target ± 10 %)</c>.
    /// </summary>
    /// <param name="statement">The sentence.</param>
    /// <param name="value">The measured number.</param>
    /// <param name="target">The number the sentence names.</param>
    /// <param name="relative">Largest relative distance.</param>
    /// <param name="format">.NET format of the numbers.</param>
    /// <param name="unit">Appended to the numbers.</param>
    public static void About(string statement, double value, double target, double relative = 0.10, string format = "G3", string unit = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(relative);
        bool holds = Math.Abs(value - target) <= relative * Math.Abs(target);
        Print(Mark, statement, holds, $"{Num(value, format)}{unit} ∈ {Num(target, format)}{unit} ± {Num(100 * relative, "G3")} %");
    }

    /// <summary>Claims <c>low ≤ value ≤ high</c>, e.g. "from about 3 to 15". Prints <c>(value ∈ [low, high])</c>.</summary>
    /// <param name="statement">The sentence.</param>
    /// <param name="value">The measured number.</param>
    /// <param name="low">Smallest allowed.</param>
    /// <param name="high">Largest allowed.</param>
    /// <param name="format">.NET format of the numbers.</param>
    /// <param name="unit">Appended to the numbers.</param>
    public static void Between(string statement, double value, double low, double high, string format = "G3", string unit = "")
    {
        if (!(low <= high))
        {
            throw new ArgumentException($"Between needs low ≤ high (got {low} and {high}).");
        }

        bool holds = value >= low && value <= high;
        Print(Mark, statement, holds, $"{Num(value, format)}{unit} ∈ [{Num(low, format)}{unit}, {Num(high, format)}{unit}]");
    }

    /// <summary>
    /// A claim over seeds: <paramref name="bound"/> holds for every seed's value. Prints each seed's value and the worst
    /// one against the bound, e.g. <c>(seed 1: 0.98, seed 2: 0.97, …; worst of 5 seeds 0.97 ≥ 0.95)</c>.
    /// </summary>
    /// <param name="statement">The sentence ("on every seed", "for all five seeds").</param>
    /// <param name="runs">Seed and value, one per run.</param>
    /// <param name="bound">What each value must satisfy.</param>
    /// <param name="format">.NET format of the numbers.</param>
    /// <param name="unit">Appended to the numbers.</param>
    public static void ForAllSeeds(string statement, IEnumerable<(int Seed, double Value)> runs, Bound bound, string format = "G3", string unit = "")
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(bound);
        var list = runs.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A claim over seeds needs at least one seed.", nameof(runs));
        }

        if (list.Select(r => r.Seed).Distinct().Count() != list.Count)
        {
            throw new ArgumentException("Each seed may appear once in a claim over seeds.", nameof(runs));
        }

        var worst = list.OrderByDescending(r => bound.Distance(r.Value)).First();
        bool holds = list.All(r => bound.Holds(r.Value));
        string each = string.Join(", ", list.Select(r => $"seed {r.Seed}: {Num(r.Value, format)}{unit}"));
        string failing = holds ? "" : $"false on {list.Count(r => !bound.Holds(r.Value))} of {list.Count} seeds; ";
        Print(Mark, statement, holds, $"{each}; {failing}worst of {list.Count} seeds {Num(worst.Value, format)}{unit} {bound.Describe(format, unit)}");
    }

    /// <summary>
    /// A paired comparison over seeds that the wording calls a result: <paramref name="first"/> beats
    /// <paramref name="second"/> on the same seeds (higher when <paramref name="higherIsBetter"/>), with a two-sided sign
    /// test p below <see cref="SignificanceLevel"/>. Prints <c>(first better on 9 of 10 seeds, sign test p = 0.021 &lt; 0.05)</c>.
    /// Ties count for neither side. Note that the sign test cannot reach p &lt; 0.05 with fewer than 6 untied seeds.
    /// </summary>
    /// <param name="statement">The sentence.</param>
    /// <param name="first">Per-seed values of the side the sentence says is better.</param>
    /// <param name="second">Per-seed values of the other side, same seeds in the same order.</param>
    /// <param name="higherIsBetter">True for accuracies, false for losses or errors.</param>
    public static void Paired(string statement, IReadOnlyList<double> first, IReadOnlyList<double> second, bool higherIsBetter = true)
    {
        var (wins, losses, p) = Compare(first, second, higherIsBetter);
        bool holds = wins > losses && p < SignificanceLevel;
        Print(Mark, statement, holds, $"better on {wins} of {first.Count} seeds, worse on {losses}; sign test p = {Num(p, "G2")} < {SignificanceLevel:G2}");
    }

    /// <summary>
    /// The claim a sentence makes when it says a paired difference is <em>not</em> a result: the two-sided sign test
    /// over the seeds gives p ≥ <see cref="SignificanceLevel"/>. Prints <c>(better on 3 of 5 seeds; p = 1 ≥ 0.05)</c>.
    /// </summary>
    /// <inheritdoc cref="Paired" path="/param"/>
    public static void NotAResult(string statement, IReadOnlyList<double> first, IReadOnlyList<double> second, bool higherIsBetter = true)
    {
        var (wins, losses, p) = Compare(first, second, higherIsBetter);
        Print(Mark, statement, p >= SignificanceLevel, $"better on {wins} of {first.Count} seeds, worse on {losses}; sign test p = {Num(p, "G2")} ≥ {SignificanceLevel:G2}");
    }

    /// <summary>
    /// A claim over several runs (seeds, settings) that do not share one number: holds only if it holds for every one.
    /// Prints the statement with each run's evidence, e.g. <c>✓ BN ends lower on every seed (seed 1: 0.12 &lt; 0.31; …)</c>.
    /// Prefer <see cref="ForAllSeeds"/> when each run has one number and one bound.
    /// </summary>
    /// <param name="statement">The sentence, as the prose says it.</param>
    /// <param name="runs">One entry per run: a label (e.g. "seed 3"), whether it holds there, and its numbers.</param>
    /// <exception cref="ClaimFailedException">The claim is false for at least one run (the message names them).</exception>
    public static void ForAll(string statement, IEnumerable<(string Label, bool Holds, string Evidence)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A claim over runs needs at least one run.", nameof(runs));
        }

        var failed = list.Where(r => !r.Holds).ToList();
        string evidence = failed.Count == 0
            ? string.Join("; ", list.Select(r => $"{r.Label}: {r.Evidence}"))
            : $"false for {failed.Count} of {list.Count}: " + string.Join("; ", failed.Select(r => $"{r.Label}: {r.Evidence}"));
        That(statement, failed.Count == 0, evidence);
    }

    /// <summary>
    /// Shows an identity or arithmetic on constants (x − x = 0, <c>10000f + 1e-5f == 10000f</c>): prints
    /// <c>≡ statement (evidence)</c>. Not a claim (it cannot be false for a reason the lecture is about) and not counted
    /// as one; it still throws if it does not hold, since then the notebook's arithmetic is broken.
    /// </summary>
    /// <param name="statement">What is shown.</param>
    /// <param name="holds">The identity, computed.</param>
    /// <param name="evidence">The numbers.</param>
    public static void Demonstrate(string statement, bool holds, string evidence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(evidence);
        Print(DemonstrationMark, statement, holds, evidence);
    }

    /// <summary>
    /// The two-sided sign test: the probability, under "each side wins a seed with probability ½", of a split at least as
    /// uneven as <paramref name="wins"/> against <paramref name="losses"/> (ties dropped before calling).
    /// </summary>
    /// <param name="wins">Seeds the first side won.</param>
    /// <param name="losses">Seeds it lost.</param>
    /// <returns>p in (0, 1]; 1 when there are no untied seeds.</returns>
    public static double SignTestP(int wins, int losses)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wins);
        ArgumentOutOfRangeException.ThrowIfNegative(losses);
        int n = wins + losses;
        int k = Math.Min(wins, losses);
        double tail = 0;
        for (int i = 0; i <= k; i++)
        {
            tail += Math.Exp(LogChoose(n, i) - n * Math.Log(2));
        }

        return Math.Min(1.0, 2 * tail);
    }

    private static double LogChoose(int n, int k)
    {
        double sum = 0;
        for (int i = 1; i <= k; i++)
        {
            sum += Math.Log(n - k + i) - Math.Log(i);
        }

        return sum;
    }

    private static (int Wins, int Losses, double P) Compare(IReadOnlyList<double> first, IReadOnlyList<double> second, bool higherIsBetter)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count || first.Count == 0)
        {
            throw new ArgumentException($"A paired comparison needs the same seeds on both sides (got {first.Count} and {second.Count} values).");
        }

        if (first.Concat(second).Any(double.IsNaN))
        {
            throw new ArgumentException("A paired comparison got NaN: a run diverged; report it instead of comparing.");
        }

        int wins = 0, losses = 0;
        for (int i = 0; i < first.Count; i++)
        {
            double d = higherIsBetter ? first[i] - second[i] : second[i] - first[i];
            if (d > 0)
            {
                wins++;
            }
            else if (d < 0)
            {
                losses++;
            }
        }

        return (wins, losses, SignTestP(wins, losses));
    }

    private static void Compare(string statement, double value, double bound, bool holds, string op, string format, string unit, string? evidence)
    {
        if (double.IsNaN(value))
        {
            throw new ClaimFailedException($"{statement} (the value is NaN)");
        }

        string comparison = $"{Num(value, format)}{unit} {op} {Num(bound, format)}{unit}";
        Print(Mark, statement, holds, evidence is null ? comparison : $"{evidence}; {comparison}");
    }

    private static void Print(string mark, string statement, bool holds, string evidence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(statement);
        if (statement.Contains('\n', StringComparison.Ordinal) || evidence.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A claim is one line of text.", nameof(statement));
        }

        string line = $"{statement} ({evidence})";
        if (!holds)
        {
            throw new ClaimFailedException(line);
        }

        Console.WriteLine(mark + line);
    }

    /// <summary>Enough significant digits to show a ratio honestly (7.2×, 12×, 0.95×).</summary>
    private static string Sig(double x) => Math.Abs(x) >= 10 ? "F0" : "G2";

    internal static string Num(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>What each value of a claim over seeds must satisfy, with the words the claim prints.</summary>
public abstract record Bound
{
    /// <summary>Every value ≥ <paramref name="bound"/>.</summary>
    public static Bound AtLeast(double bound) => new Lower(bound, Strict: false);

    /// <summary>Every value &gt; <paramref name="bound"/>.</summary>
    public static Bound Above(double bound) => new Lower(bound, Strict: true);

    /// <summary>Every value ≤ <paramref name="bound"/>.</summary>
    public static Bound AtMost(double bound) => new Upper(bound, Strict: false);

    /// <summary>Every value &lt; <paramref name="bound"/>.</summary>
    public static Bound Below(double bound) => new Upper(bound, Strict: true);

    /// <summary>Every value in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Bound InRange(double low, double high) => low <= high ? new Range(low, high) : throw new ArgumentException($"InRange needs low ≤ high (got {low} and {high}).");

    /// <summary>Whether <paramref name="value"/> satisfies the bound (NaN never does).</summary>
    public abstract bool Holds(double value);

    /// <summary>How far <paramref name="value"/> is towards failing (larger = worse), to pick the worst seed.</summary>
    public abstract double Distance(double value);

    /// <summary>"≥ 0.95", "&lt; 1", "∈ [2, 4]".</summary>
    public abstract string Describe(string format, string unit);

    private sealed record Lower(double Bound, bool Strict) : Bound
    {
        public override bool Holds(double value) => Strict ? value > Bound : value >= Bound;

        public override double Distance(double value) => double.IsNaN(value) ? double.PositiveInfinity : -value;

        public override string Describe(string format, string unit) => $"{(Strict ? ">" : "≥")} {Claim.Num(Bound, format)}{unit}";
    }

    private sealed record Upper(double Bound, bool Strict) : Bound
    {
        public override bool Holds(double value) => Strict ? value < Bound : value <= Bound;

        public override double Distance(double value) => double.IsNaN(value) ? double.PositiveInfinity : value;

        public override string Describe(string format, string unit) => $"{(Strict ? "<" : "≤")} {Claim.Num(Bound, format)}{unit}";
    }

    private sealed record Range(double Low, double High) : Bound
    {
        public override bool Holds(double value) => value >= Low && value <= High;

        public override double Distance(double value) =>
            double.IsNaN(value) ? double.PositiveInfinity : Math.Max(Low - value, value - High);

        public override string Describe(string format, string unit) =>
            $"∈ [{Claim.Num(Low, format)}{unit}, {Claim.Num(High, format)}{unit}]";
    }
}

/// <summary>A notebook sentence that its own numbers contradict.</summary>
public sealed class ClaimFailedException : Exception
{
    /// <summary>Creates the exception for the claim line (statement and evidence).</summary>
    public ClaimFailedException(string claim)
        : base($"✗ Claim is false: {claim}")
    {
        ClaimText = claim;
    }

    /// <summary>The statement and its evidence.</summary>
    public string ClaimText { get; }
}
