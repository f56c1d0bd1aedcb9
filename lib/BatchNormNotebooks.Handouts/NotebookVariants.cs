using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;

namespace BatchNormNotebooks.Handouts;

/// <summary>Which form of a notebook the builder runs.</summary>
public enum Variant
{
    /// <summary>The lecturer's: every exercise answer cell holds its reference solution; every check must print ✅.</summary>
    Lecturer,

    /// <summary>The students': answer cells as in notebooks/ (unanswered), written solutions removed; checks print "not answered".</summary>
    Students,

    /// <summary>For the tests: every answer cell holds a plausible wrong answer; every check must print ❌.</summary>
    Wrong,
}

/// <summary>
/// The reference solutions and planted mistakes of one notebook's exercises, from notebooks/solutions/NN-name.txt:
/// <code>
/// #!solution answer1
/// double answer1 = 2 * (1 - Math.Pow(0.99, 10)); // the initial 0 keeps weight 0.99^10
/// #!wrong answer1
/// double answer1 = 2;                            // forgets the start-up bias
/// </code>
/// Each block replaces, whole, the exercise cell that declares the named answer variable. Lines before the first
/// block are comments.
/// </summary>
/// <param name="Solutions">Answer-cell key (the first answer variable it declares) → replacement cell text.</param>
/// <param name="Wrong">Answer-cell key → a plausible wrong answer.</param>
public sealed record ExerciseSolutions(IReadOnlyDictionary<string, string> Solutions, IReadOnlyDictionary<string, string> Wrong)
{
    /// <summary>No exercises (a notebook without a solutions file).</summary>
    public static ExerciseSolutions None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    /// <summary>The solutions file of the notebook at <paramref name="notebookPath"/>: notebooks/solutions/NN-name.txt.</summary>
    public static string PathFor(string notebookPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, "solutions", Path.GetFileNameWithoutExtension(notebookPath) + ".txt");

    private static readonly ConcurrentDictionary<(string Path, DateTime Written, long Length), ExerciseSolutions> Loaded = new();

    /// <summary>Reads the solutions file of <paramref name="notebookPath"/>, or <see cref="None"/> if it has none. A file
    /// is read and parsed once per process while it is unchanged (same write time and length): a build asks for it in
    /// every variant, the kit and the verdict.</summary>
    public static ExerciseSolutions Load(string notebookPath)
    {
        var file = new FileInfo(PathFor(notebookPath));
        return file.Exists
            ? Loaded.GetOrAdd((file.FullName, file.LastWriteTimeUtc, file.Length), key => Parse(File.ReadAllText(key.Path), key.Path))
            : None;
    }

    /// <summary>Parses the text of a solutions file; <paramref name="source"/> names it in errors.</summary>
    public static ExerciseSolutions Parse(string text, string source)
    {
        var solutions = new Dictionary<string, string>(StringComparer.Ordinal);
        var wrong = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, string>? target = null;
        string? key = null;
        var body = new StringBuilder();
        int lineNumber = 0;

        void Flush()
        {
            if (target is not null && key is not null)
            {
                if (!target.TryAdd(key, body.ToString().Trim('\n', '\r')))
                {
                    throw new FormatException($"{source}: two blocks for '{key}'.");
                }
            }

            body.Clear();
        }

        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            var header = Regex.Match(line, @"^#!(solution|wrong)\s+(\w+)\s*$");
            if (header.Success)
            {
                Flush();
                target = header.Groups[1].Value == "solution" ? solutions : wrong;
                key = header.Groups[2].Value;
            }
            else if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                throw new FormatException($"{source}:{lineNumber}: unknown header '{line}' (expected '#!solution NAME' or '#!wrong NAME').");
            }
            else if (target is not null)
            {
                body.Append(line).Append('\n');
            }
        }

        Flush();
        foreach (string k in solutions.Keys.Where(k => !wrong.ContainsKey(k)))
        {
            throw new FormatException($"{source}: '{k}' has a solution but no '#!wrong {k}' block (the tests prove each check rejects a mistake).");
        }

        foreach (string k in wrong.Keys.Where(k => !solutions.ContainsKey(k)))
        {
            throw new FormatException($"{source}: '{k}' has a wrong answer but no '#!solution {k}' block.");
        }

        return new ExerciseSolutions(solutions, wrong);
    }
}

/// <summary>Turns a notebook's .dib text into the lecturer's, the students' or the wrong-answers form.</summary>
public static partial class NotebookVariants
{
    /// <summary>The first line of an answer cell in which the student writes code (a function with a TODO body).</summary>
    public const string CodeAnswerMark = "// ✎";

    /// <summary>
    /// The line that marks a markdown cell as written solutions, for the lecturer only: the students' form drops
    /// every cell holding it, whatever the cell's title. A markdown cell that looks like solutions
    /// (<c>&lt;details&gt;&lt;summary&gt;Solutions</c>) without it is an error, so a new title cannot leak answers.
    /// </summary>
    public const string SolutionsMark = "<!-- solutions: lecturer only -->";

    /// <summary>Where the students' kit keeps the notebook library, relative to the kit's notebooks/ folder.</summary>
    public const string KitLibraryPath = "../lib/BatchNormNotebooks.Interactive.dll";

    /// <summary>
    /// The answer variables an exercise answer cell declares: a cell whose code lines are all declarations like
    /// <c>double answer1 = double.NaN; // …</c> of variables named answer…; or a cell whose first line starts with
    /// <see cref="CodeAnswerMark"/>, in which the student writes code: then every variable or local function named
    /// answer… declared at the start of a line (<c>Matrix&lt;double&gt; answerForward(…)</c>).
    /// </summary>
    public static IReadOnlyList<string> AnswerNames(string cellText)
    {
        if (cellText.TrimStart().StartsWith(CodeAnswerMark, StringComparison.Ordinal))
        {
            return [.. cellText.Split('\n')
                .Select(l => CodeAnswerDeclaration().Match(l))
                .Where(m => m.Success)
                .Select(m => m.Groups[1].Value)
                .Distinct()];
        }

        var names = new List<string>();
        foreach (string raw in cellText.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var m = AnswerDeclaration().Match(line);
            if (!m.Success)
            {
                return [];
            }

            names.Add(m.Groups[1].Value);
        }

        return names;
    }

    /// <summary>
    /// Applies <paramref name="variant"/> to a parsed .dib notebook: Lecturer and Wrong replace each answer cell by its
    /// block; Students drops markdown cells marked <see cref="SolutionsMark"/>. Returns a new document (same metadata).
    /// </summary>
    /// <exception cref="FormatException">An answer cell has no block, a block names no answer cell, or a markdown
    /// cell looks like written solutions but lacks <see cref="SolutionsMark"/>.</exception>
    public static InteractiveDocument Apply(InteractiveDocument notebook, ExerciseSolutions solutions, Variant variant, string source)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        ArgumentNullException.ThrowIfNull(solutions);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = new InteractiveDocument([]);
        foreach (var (key, value) in notebook.Metadata)
        {
            result.Metadata[key] = value;
        }

        foreach (var cell in notebook.Elements)
        {
            if (cell.KernelName == "markdown")
            {
                if (!IsWrittenSolution(cell.Contents) && LooksLikeSolutions().IsMatch(cell.Contents))
                {
                    throw new FormatException($"{source}: a markdown cell looks like written solutions ('{LooksLikeSolutions().Match(cell.Contents).Value}') but lacks the line {SolutionsMark}; add it so the students' copies drop it.");
                }

                if (!(variant == Variant.Students && IsWrittenSolution(cell.Contents)))
                {
                    result.Add(new InteractiveDocumentElement(cell.Contents, cell.KernelName, []));
                }

                continue;
            }

            var names = cell.KernelName == "csharp" ? AnswerNames(cell.Contents) : [];
            if (names.Count == 0 || variant == Variant.Students)
            {
                result.Add(new InteractiveDocumentElement(cell.Contents, cell.KernelName, []));
                continue;
            }

            var blocks = variant == Variant.Lecturer ? solutions.Solutions : solutions.Wrong;
            string? block = names.FirstOrDefault(blocks.ContainsKey)
                ?? throw new FormatException($"{source}: the answer cell declaring {string.Join(", ", names)} has no '#!{(variant == Variant.Lecturer ? "solution" : "wrong")} {names[0]}' block in {Path.GetFileName(ExerciseSolutions.PathFor(source))}.");
            used.Add(block);
            result.Add(new InteractiveDocumentElement(blocks[block], cell.KernelName, []));
        }

        if (variant != Variant.Students)
        {
            var unused = solutions.Solutions.Keys.Where(k => !used.Contains(k)).ToList();
            if (unused.Count > 0)
            {
                throw new FormatException($"{source}: solution block(s) {string.Join(", ", unused)} match no answer cell.");
            }
        }

        return result;
    }

    /// <summary><see cref="Apply(InteractiveDocument, ExerciseSolutions, Variant, string)"/> on .dib text: parsed and
    /// written back with <see cref="NotebookFile"/>.</summary>
    public static string Apply(string dibText, ExerciseSolutions solutions, Variant variant, string source) =>
        NotebookFile.ToDib(Apply(NotebookFile.ParseDib(dibText), solutions, variant, source));

    /// <summary>True for a markdown cell marked as written solutions (<see cref="SolutionsMark"/> on a line of its own).</summary>
    public static bool IsWrittenSolution(string markdown) =>
        markdown.Split('\n').Any(l => l.Trim() == SolutionsMark);

    /// <summary>
    /// The students' .dib text as the kit holds it: the setup cell's <c>#r "…BatchNormNotebooks.Interactive.dll"</c>
    /// (a path into the repository's build output) becomes <see cref="KitLibraryPath"/>, the library inside the kit.
    /// </summary>
    /// <exception cref="FormatException">The text loads the library more than once.</exception>
    public static string ForKit(string studentsDibText, string source)
    {
        var matches = LibraryReference().Matches(studentsDibText);
        return matches.Count switch
        {
            0 => studentsDibText,
            1 => LibraryReference().Replace(studentsDibText, $"#r \"{KitLibraryPath}\""),
            _ => throw new FormatException($"{source}: {matches.Count} '#r' lines load BatchNormNotebooks.Interactive.dll; the kit expects one."),
        };
    }

    /// <summary>
    /// The students' executed run as their handout shows it: the code cells read as the kit's .dib does
    /// (<see cref="ForKit(string, string)"/>), so the page a student reads and the notebook they open load the library
    /// from the same place.
    /// </summary>
    public static ExecutedNotebook ForKit(ExecutedNotebook run) =>
        run with { Cells = [.. run.Cells.Select(c => c.IsCode ? c with { Source = ForKit(c.Source, run.Name) } : c)] };

    /// <summary>
    /// The answer variables or functions a cell a student edited declares, leniently: every <c>answer…</c> declared
    /// at the start of a line (as in a <see cref="CodeAnswerMark"/> cell), whether or not the cell holds other code.
    /// The grader finds a student's answer cells with it.
    /// </summary>
    public static IReadOnlyList<string> DeclaredAnswerNames(string cellText) =>
        [.. cellText.Split('\n').Select(l => CodeAnswerDeclaration().Match(l.TrimEnd('\r'))).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct()];

    [GeneratedRegex(@"^[\w<>\[\]?,.]+\s+(answer\w*)\s*=\s*[^;]*;\s*(//.*)?$")]
    private static partial Regex AnswerDeclaration();

    [GeneratedRegex(@"^[\w<>\[\](),?.][\w<>\[\](),?. ]*?\s(answer\w*)\s*[=(]")]
    private static partial Regex CodeAnswerDeclaration();

    [GeneratedRegex(@"<details>\s*<summary>[^<]*(Solution|Answer)", RegexOptions.IgnoreCase)]
    private static partial Regex LooksLikeSolutions();

    [GeneratedRegex(@"^#r\s+""[^""\n]*BatchNormNotebooks\.Interactive\.dll""", RegexOptions.Multiline)]
    private static partial Regex LibraryReference();
}
