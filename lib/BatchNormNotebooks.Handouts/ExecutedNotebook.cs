using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Handouts;

/// <summary>One output of a cell, as the kernel formatted it.</summary>
/// <param name="Kind">What produced it: <see cref="OutputKind"/>.</param>
/// <param name="MimeType">"text/html" or "text/plain".</param>
/// <param name="Value">The formatted text.</param>
public sealed record CellOutput(OutputKind Kind, string MimeType, string Value);

/// <summary>The event a <see cref="CellOutput"/> came from.</summary>
public enum OutputKind
{
    /// <summary>The value of the cell's last expression (Jupyter "execute_result").</summary>
    ReturnValue,

    /// <summary>A <c>display(...)</c> call (Jupyter "display_data").</summary>
    Display,

    /// <summary>Console.Out.</summary>
    StandardOutput,

    /// <summary>Console.Error.</summary>
    StandardError,

    /// <summary>A compile error or exception (CommandFailed / ErrorProduced).</summary>
    Error,
}

/// <summary>A notebook cell and what running it produced.</summary>
/// <param name="Number">1-based position in the notebook, counting markdown cells too.</param>
/// <param name="Language">"csharp" or "markdown" (any other kernel name is kept as is).</param>
/// <param name="Source">The cell's text.</param>
/// <param name="Outputs">Outputs in the order they arrived (empty for markdown).</param>
/// <param name="Seconds">Wall time in the kernel (0 for markdown).</param>
public sealed record ExecutedCell(int Number, string Language, string Source, IReadOnlyList<CellOutput> Outputs, double Seconds)
{
    /// <summary>True for code cells.</summary>
    public bool IsCode => Language != "markdown";

    /// <summary>True when the cell failed (an error output).</summary>
    public bool Failed => Outputs.Any(o => o.Kind == OutputKind.Error);
}

/// <summary>A notebook after running all its cells.</summary>
/// <param name="Name">File name without extension, e.g. "00-setup-check".</param>
/// <param name="Title">The first markdown heading, or the name.</param>
/// <param name="Cells">All cells in order.</param>
/// <param name="Variant">Which form ran (lecturer, students, wrong answers).</param>
public sealed record ExecutedNotebook(string Name, string Title, IReadOnlyList<ExecutedCell> Cells, Variant Variant = Variant.Lecturer)
{
    /// <summary>The first line that marks a code cell of the lecture's live path.</summary>
    public const string LiveMark = "// ▶ live";

    /// <summary>Code cells whose first line is <see cref="LiveMark"/>.</summary>
    public int LiveCells => Cells.Count(c => c.IsCode && c.Source.TrimStart().StartsWith(LiveMark, StringComparison.Ordinal));

    /// <summary>The claims the cells printed (lines of standard output starting with <see cref="Claim.Mark"/>), in order.</summary>
    public IEnumerable<ClaimRow> Claims =>
        from c in Cells
        from o in c.Outputs
        where o.Kind == OutputKind.StandardOutput
        from line in o.Value.Split('\n')
        where line.StartsWith(Claim.Mark, StringComparison.Ordinal)
        select ClaimRow.Parse(Name + ".dib", c.Number, line[Claim.Mark.Length..].TrimEnd('\r'));

    /// <summary>How many demonstrations (identities shown, "≡ …" lines) the cells printed; not claims.</summary>
    public int Demonstrations =>
        (from c in Cells
         from o in c.Outputs
         where o.Kind == OutputKind.StandardOutput
         from line in o.Value.Split('\n')
         where line.StartsWith(Claim.DemonstrationMark, StringComparison.Ordinal)
         select line).Count();

    /// <summary>The exercise checks the cells printed (✅, ❌ or "not answered"), in order.</summary>
    public IEnumerable<ExerciseRow> Exercises => ExerciseLines.Select(e => e.Row);

    /// <summary>The exercise checks the cells printed, each with the verdict line it came from (hint included).</summary>
    public IEnumerable<(ExerciseRow Row, string Line)> ExerciseLines =>
        from c in Cells
        from o in c.Outputs
        where o.Kind == OutputKind.StandardOutput
        from raw in o.Value.Split('\n')
        let line = raw.TrimEnd('\r')
        where ExerciseLine.TryParse(line, out _, out _)
        select (Row(c.Number, line), line);

    private ExerciseRow Row(int cell, string line)
    {
        ExerciseLine.TryParse(line, out var result, out string name);
        return new ExerciseRow(Name + ".dib", Variant, cell, name, result);
    }
}

/// <summary>One claim a notebook printed and checked (report.json "claims").</summary>
/// <param name="Notebook">File name.</param>
/// <param name="Cell">1-based cell number.</param>
/// <param name="Text">Statement and evidence.</param>
/// <param name="Ok">True (a false claim fails its cell).</param>
/// <param name="Value">The measured number as printed ("7.2×"), when the claim ends in <c>(… value op bound)</c>.</param>
/// <param name="Bound">The bound with its comparison as printed ("≥ 3×"), when there is one.</param>
/// <param name="Seeds">How many seeds the claim ran over, when it says ("… of 10 seeds").</param>
public sealed partial record ClaimRow(string Notebook, int Cell, string Text, bool Ok, string? Value = null, string? Bound = null, int? Seeds = null)
{
    /// <summary>
    /// Reads a claim line (without its ✓): the last segment of its final parenthesis, if it has the form
    /// <c>value op bound</c> (op one of ≥ ≤ &gt; &lt; ∈, as <c>Claim</c>'s typed claims print it), gives value and bound;
    /// "N seeds" anywhere gives the seeds.
    /// </summary>
    public static ClaimRow Parse(string notebook, int cell, string text)
    {
        string? value = null, bound = null;
        int? seeds = null;
        int open = text.LastIndexOf(" (", StringComparison.Ordinal);
        if (open >= 0 && text.EndsWith(')'))
        {
            string inner = text[(open + 2)..^1];
            string last = inner[(inner.LastIndexOf("; ", StringComparison.Ordinal) + 1)..].Trim();
            var m = Comparison().Match(last);
            if (m.Success)
            {
                value = m.Groups["value"].Value.Trim();
                bound = m.Groups["op"].Value + " " + m.Groups["bound"].Value.Trim();
            }
        }

        var s = SeedCount().Match(text);
        if (s.Success)
        {
            seeds = int.Parse(s.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ClaimRow(notebook, cell, text, true, value, bound, seeds);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<value>.+?) (?<op>≥|≤|>|<|∈) (?<bound>.+)$")]
    private static partial System.Text.RegularExpressions.Regex Comparison();

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(\d+) seeds\b")]
    private static partial System.Text.RegularExpressions.Regex SeedCount();
}

/// <summary>One exercise check a notebook printed (report.json "exercises").</summary>
/// <param name="Notebook">File name.</param>
/// <param name="Variant">The form that ran.</param>
/// <param name="Cell">1-based cell number of the check cell.</param>
/// <param name="Name">The exercise's name, e.g. "1 · batch mean".</param>
/// <param name="Result">Right, wrong or not answered (in report.json "right", "wrong", "not answered").</param>
public sealed record ExerciseRow(string Notebook, Variant Variant, int Cell, string Name, ExerciseResult Result);
