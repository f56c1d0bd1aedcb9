using System.Globalization;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// A sentence of the notebook, checked as the notebook runs. <c>Claim.That("BN's accuracy is higher", bn &gt; plain,
/// $"{bn:P1} vs {plain:P1}")</c> prints <c>✓ BN's accuracy is higher (97.1 % vs 93.4 %)</c>; a false claim throws
/// <see cref="ClaimFailedException"/>, so the cell fails and the handout build stops naming notebook and cell.
/// The builder lists every printed claim in handouts/report.json.
/// </summary>
/// <remarks>
/// Word the claim like the markdown sentence it backs. A claim about a random experiment should hold over the seeds
/// the notebook runs (pass the conjunction over seeds and show the spread in <c>evidence</c>).
/// </remarks>
public static class Claim
{
    /// <summary>The prefix of a claim line in a cell's output (the builder looks for it).</summary>
    public const string Mark = "✓ ";

    /// <summary>Prints <c>✓ statement (evidence)</c> when <paramref name="holds"/>; throws otherwise.</summary>
    /// <param name="statement">The sentence, as the prose says it.</param>
    /// <param name="holds">The computed truth of the sentence.</param>
    /// <param name="evidence">The numbers behind it, e.g. "97.1 % vs 93.4 %".</param>
    /// <exception cref="ClaimFailedException">The claim is false.</exception>
    public static void That(string statement, bool holds, string? evidence = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(statement);
        if (statement.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A claim is one line of text.", nameof(statement));
        }

        string line = evidence is null ? statement : $"{statement} ({evidence})";
        if (!holds)
        {
            throw new ClaimFailedException(line);
        }

        Console.WriteLine((Mark + line).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A claim over several runs (seeds, settings): holds only if it holds for every one. Prints the statement with
    /// each run's evidence, e.g. <c>✓ BN ends lower on every seed (seed 1: 0.12 &lt; 0.31; seed 2: …)</c>.
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
