using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// No answers in the students' copies (issue 19 §2). Every check of the lecturer's run prints its expected value on
/// its ✅ line ("✅ Exercise 1 · constant feature: right (316.2)."); none of those values may appear in that notebook's
/// students' handout (students/NN.html), students' notebook (students/notebooks/NN.dib) or their copies in
/// students.zip — in prose, outputs, hints or check cells. Uses the build of <see cref="HandoutsFixture"/>.
/// </summary>
[Collection(nameof(HandoutsCollection))]
public sealed class AnswerLeakTests(HandoutsFixture handouts)
{
    public static TheoryData<string> Notebooks() => [.. Builder.Notebooks];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void No_expected_value_of_the_lecturers_checks_appears_in_the_students_copies(string notebook)
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        string name = Path.GetFileNameWithoutExtension(notebook);
        string ipynb = Path.Combine(handouts.OutDir, "lecturer", name + ".ipynb");
        Assert.True(File.Exists(ipynb), $"{name} is not in the build at {handouts.OutDir} (a partial BNN_HANDOUTS_DIR build: filter the test to the notebooks it holds).");

        var lines = AnswerLeaks.RightLines(File.ReadAllText(ipynb));
        var copies = AnswerLeaks.StudentsCopies(handouts.OutDir, name);
        var codeAnswers = AnswerLeaks.CodeAnswers(File.ReadAllText(Path.Combine(handouts.OutDir, "students", StudentKit.NotebooksFolder, name + ".dib")));
        int exercises = ExerciseSolutions.Load(Path.Combine(Builder.RepoRoot, "notebooks", notebook)).Solutions.Count;
        Assert.True(exercises == 0 || lines.Count > 0, $"{name} has {exercises} exercise solution(s) but its lecturer's run printed no ✅ line: nothing to search for.");

        var problems = AnswerLeaks.Find(name, lines.Select(l => (l.Line, AnswerLeaks.IsCodeCheck(l.CheckSource, codeAnswers))), copies).ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):\n" + string.Join("\n", problems));
    }

}

/// <summary>
/// The search of <see cref="AnswerLeakTests"/> on fake lecturer lines and fake students' pages, without a build: it
/// finds a planted value where it must, and only there.
/// </summary>
public sealed class AnswerLeakSearchTests
{
    private static List<string> Problems(string line, string page, bool codeCheck = false) =>
        [.. AnswerLeaks.Find("01-fake", [(line, codeCheck)], [("students/01-fake.html", page)])];

    [Theory]
    [InlineData("The answer is 316.2.")]
    [InlineData("<td>316.20</td>")]
    [InlineData("data: [0.1,316.2,7]")]
    [InlineData("a gap of −316.2 here")]
    [InlineData("$x \\approx 316.2$")]
    [InlineData("3.162e2 in scientific notation")]
    public void A_value_of_the_lecturers_line_is_found_in_a_fake_students_page(string page)
    {
        var problems = Problems("✅ Exercise 1 · constant feature: right (316.2).", page);
        var problem = Assert.Single(problems);
        Assert.Contains("exercise 1 · constant feature expects 316.2", problem, StringComparison.Ordinal);
        Assert.Contains("students/01-fake.html", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("The answer is 1316.25.")]
    [InlineData("316.25 is close")]
    [InlineData("316 and 2")]
    [InlineData("316.21")]
    [InlineData("v2.316.2")]
    public void A_number_that_only_contains_the_value_is_not_a_leak(string page) =>
        Assert.Empty(Problems("✅ Exercise 1 · constant feature: right (316.2).", page));

    [Fact]
    public void A_fraction_is_found_as_a_percentage_and_every_part_of_a_line_is_searched()
    {
        Assert.Single(Problems("✅ Exercise 1 · saturated share: right (0.036).", "about 3.6 % of the units"));
        Assert.Single(Problems("✅ Exercise 1 · saturated share: right (0.036).", "$P \\approx 3.6\\,\\%$"));
        Assert.Empty(Problems("✅ Exercise 1 · saturated share: right (0.036).", "about 13.6 % of the units, 3.6 of them"));
        Assert.Single(Problems("✅ Exercise 4 · noise: right ([0.376, 0.188], [0.375, 0.187]).", "measured 0.1870"));
        Assert.Single(Problems("✅ Exercise 2 · ratio and η: right (-1.40, 0.0025).", "η = 2.5e-3"));
        Assert.Single(Problems("✅ Exercise 2 · ratio and η: right (-1.40, 0.0025).", "a ratio of −1.4"));
    }

    [Fact]
    public void A_name_or_a_yes_no_paired_with_a_number_is_searched_by_its_number()
    {
        Assert.Empty(Problems("✅ Exercise 4 · best optimizer: right (RMSprop, 0.079).", "RMSprop and Adam; 0.0791"));
        Assert.Single(Problems("✅ Exercise 4 · best optimizer: right (RMSprop, 0.079).", "RMSprop reaches 0.079"));
        Assert.Empty(Problems("✅ Exercise 5 · eval mode: right (false, 0.775).", "false"));
    }

    [Theory]
    [InlineData("✅ Exercise 5a · eval mode: right (false).", "false")]
    [InlineData("✅ Exercise 4a · best optimizer: right (RMSprop).", "RMSprop")]
    [InlineData("✅ Exercise 3 · iterations: right (44.000000).", "44")]
    [InlineData("✅ Exercise 1 · largest stable η: right (0.300).", "0.300")]
    [InlineData("✅ Exercise 3 · slope: right ([-2.0, -2.0]).", "-2.0")]
    [InlineData("✅ Exercise 5b · running mean: right (0.000000).", "0.000000")]
    public void A_line_whose_values_cannot_be_searched_must_pair_them_with_a_number(string line, string value)
    {
        string problem = Assert.Single(Problems(line, "nothing here"));
        Assert.Contains("cannot be searched", problem, StringComparison.Ordinal);
        Assert.Contains(value, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_without_a_value_is_allowed_only_where_the_check_runs_the_students_code()
    {
        Assert.Contains("names no expected value", Assert.Single(Problems("✅ Exercise 1 · mean: right.", "")), StringComparison.Ordinal);
        Assert.Empty(Problems("✅ Exercise A · forward in training mode: right.", "", codeCheck: true));

        const string dib = "#!csharp\n\n// ✎ Your answer A\nMatrix<double> answerForward(Matrix<double> x)\n{\n    throw new NotImplementedException();\n}\n\n#!csharp\n\ndouble answer2 = double.NaN;\n";
        var code = AnswerLeaks.CodeAnswers(dib);
        Assert.Equal(["answerForward"], code);
        Assert.True(AnswerLeaks.IsCodeCheck("BatchNormAssignment.CheckForwardTrain(answerForward);", code));
        Assert.True(AnswerLeaks.IsCodeCheck("Check.Layer(answerForward, other)", code));
        Assert.False(AnswerLeaks.IsCodeCheck("Exercises.Two(answer2);", code));
        Assert.False(AnswerLeaks.IsCodeCheck("Exercises.Two(answerForwardTwice);", code));
    }

    [Fact]
    public void The_right_lines_are_read_from_the_executed_notebooks_stream_outputs()
    {
        const string ipynb = """
            {"cells": [
              {"cell_type": "code", "source": ["Check.One(", "answer1);"], "outputs": [{"output_type": "stream", "name": "stdout", "text": ["✓ a claim (1 vs 2)\n", "✅ Exercise 1 · x: right (316.2).\n"]}]},
              {"cell_type": "markdown", "source": ["✅ Exercise 9 · in prose: right (1.5)."]},
              {"cell_type": "code", "source": "Check.Two(answer2);", "outputs": [{"output_type": "stream", "name": "stdout", "text": "✅ Exercise 2 · y: right (0.25).\n… Exercise 3 · z: not answered yet\n"}]}
            ]}
            """;
        Assert.Equal([("✅ Exercise 1 · x: right (316.2).", "Check.One(answer1);"), ("✅ Exercise 2 · y: right (0.25).", "Check.Two(answer2);")],
            AnswerLeaks.RightLines(ipynb));
    }
}

/// <summary>
/// The search of <see cref="AnswerLeakTests"/>. What it looks for, and what it cannot look for:
/// <list type="bullet">
/// <item>Each value in a ✅ line's final parenthesis ("(316.2)", "([0.376, 0.188], [0.375, 0.187])", "(RMSprop, 0.079)")
/// is one expected value, at the digits the check asks.</item>
/// <item>A value is searched as a number token: a run of digits with an optional decimal part and exponent that is not
/// part of a longer number; it matches when it is numerically equal ("316.2" matches "316.2", "316.20" and "3.162e2",
/// not "1316.25" or "316.21"). A token followed by "%" also counts as its hundredth ("3.6 %" is 0.036). The sign is
/// ignored, because prose and math write it apart from the digits ("−", "&amp;minus;", "$-1.4$").</item>
/// <item>Values that cannot be searched meaningfully: true/false and names (the legend, the question and the code name
/// every choice), whole numbers (counts such as 44 are also indices, seeds and axis values) and numbers with one
/// significant digit (0.3, −2.0, 0: grid values, parameters and ticks everywhere). A ✅ line whose values are all of
/// these kinds is a problem itself: the exercise must pair its guessable answer with a searchable number in the same
/// check (one verdict for both).</item>
/// <item>A ✅ line without any value is allowed only from a check of code: a check cell that names a function the
/// student writes under a <c>// ✎</c> line (07's assignment, the gradient in 01): it runs that function against the
/// library on inputs of its own, so there is no single expected value to search for.</item>
/// <item>The HTML is searched from &lt;body&gt; to &lt;/main&gt;, entities decoded: the text, the code, every output and
/// chart data of the page; the inlined KaTeX, highlight.js and plotly.js before it and the page scripts after it are
/// the same on every page and written by no notebook.</item>
/// </list>
/// </summary>
public static partial class AnswerLeaks
{
    /// <summary>The "✅ Exercise …" lines of the stream outputs of an executed .ipynb, in order, each with the source of its cell.</summary>
    public static IReadOnlyList<(string Line, string CheckSource)> RightLines(string ipynbJson)
    {
        using var document = JsonDocument.Parse(ipynbJson);
        var lines = new List<(string, string)>();
        foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (!cell.TryGetProperty("outputs", out var outputs))
            {
                continue;
            }

            string source = cell.TryGetProperty("source", out var s) ? Text(s) : "";
            foreach (var output in outputs.EnumerateArray())
            {
                if (output.GetProperty("output_type").GetString() != "stream" || !output.TryGetProperty("text", out var text))
                {
                    continue;
                }

                lines.AddRange(Text(text).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("✅ Exercise ", StringComparison.Ordinal)).Select(l => (l, source)));
            }
        }

        return lines;
    }

    /// <summary>The functions a student writes (declared in <c>// ✎</c> cells) in a notebook's .dib text.</summary>
    public static IReadOnlySet<string> CodeAnswers(string dib) =>
        NotebookFile.ParseDib(dib).Elements.Where(c => c.Contents.TrimStart().StartsWith(NotebookVariants.CodeAnswerMark, StringComparison.Ordinal))
            .SelectMany(c => NotebookVariants.AnswerNames(c.Contents)).ToHashSet();

    /// <summary>True when the check cell's source names one of the <paramref name="codeAnswers"/> (as a whole word).</summary>
    public static bool IsCodeCheck(string checkSource, IReadOnlySet<string> codeAnswers) =>
        codeAnswers.Any(name => Regex.IsMatch(checkSource, $@"\b{Regex.Escape(name)}\b"));

    private static string Text(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? string.Concat(e.EnumerateArray().Select(t => t.GetString())) : e.GetString() ?? "";

    /// <summary>The students' copies of notebook <paramref name="name"/> in a build: (label, searchable text).</summary>
    public static IReadOnlyList<(string Label, string Text)> StudentsCopies(string outDir, string name)
    {
        string html = $"students/{name}.html", dib = $"students/{StudentKit.NotebooksFolder}/{name}.dib";
        var copies = new List<(string, string)>
        {
            (html, HtmlBody(File.ReadAllText(Path.Combine(outDir, html)))),
            (dib, File.ReadAllText(Path.Combine(outDir, dib))),
        };
        using var zip = ZipFile.OpenRead(Path.Combine(outDir, "students.zip"));
        foreach (string entry in new[] { html, dib })
        {
            var file = zip.GetEntry(entry) ?? throw new FileNotFoundException($"students.zip has no {entry}.");
            using var reader = new StreamReader(file.Open());
            string text = reader.ReadToEnd();
            copies.Add(($"students.zip:{entry}", entry.EndsWith(".html", StringComparison.Ordinal) ? HtmlBody(text) : text));
        }

        return copies;
    }

    /// <summary>A page from &lt;body&gt; to &lt;/main&gt;, HTML entities decoded.</summary>
    public static string HtmlBody(string html)
    {
        int body = html.IndexOf("<body", StringComparison.Ordinal), main = html.LastIndexOf("</main>", StringComparison.Ordinal);
        if (body < 0 || main < body)
        {
            throw new FormatException("A handout page without <body> … </main>.");
        }

        return WebUtility.HtmlDecode(html[body..main]);
    }

    /// <summary>
    /// Every problem of notebook <paramref name="notebook"/>: an expected value of a ✅ line that a students' copy
    /// shows (with where and the context), and a ✅ line that names nothing searchable.
    /// </summary>
    /// <param name="notebook">The notebook's name, for the messages.</param>
    /// <param name="rightLines">The lecturer's ✅ lines, each with whether its check runs the student's code.</param>
    /// <param name="copies">The students' copies: (label, text).</param>
    public static IEnumerable<string> Find(string notebook, IEnumerable<(string Line, bool CodeCheck)> rightLines, IReadOnlyList<(string Label, string Text)> copies)
    {
        foreach (var (line, codeCheck) in rightLines)
        {
            var m = RightLine().Match(line);
            if (!m.Success)
            {
                yield return $"{notebook}: unreadable ✅ line \"{line}\"";
                continue;
            }

            string exercise = m.Groups["name"].Value;
            if (!m.Groups["expected"].Success)
            {
                if (!codeCheck)
                {
                    yield return $"{notebook}: exercise {exercise}'s ✅ line names no expected value, so nothing can be searched (only a check of a // ✎ function may print none)";
                }

                continue;
            }

            var values = Values(m.Groups["expected"].Value);
            var searchable = values.Select(v => (Text: v, Number: Searchable(v))).Where(v => v.Number is not null).ToList();
            if (searchable.Count == 0)
            {
                yield return $"{notebook}: exercise {exercise}'s expected value(s) {string.Join(", ", values)} cannot be searched (a yes/no, a name, a whole number or one significant digit): pair it with a number of at least two significant digits in the same check";
                continue;
            }

            foreach (var (text, number) in searchable)
            {
                foreach (var (label, content) in copies)
                {
                    foreach (string context in Occurrences(content, number!.Value))
                    {
                        yield return $"{notebook}: exercise {exercise} expects {text}; {label} shows it: …{context}…";
                    }
                }
            }
        }
    }

    /// <summary>The values of a ✅ line's parenthesis, brackets removed: "[0.1, 0.2], false" → 0.1, 0.2, false.</summary>
    public static IReadOnlyList<string> Values(string expected) =>
        [.. expected.Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Split(", ").Select(v => v.Trim()).Where(v => v.Length > 0)];

    /// <summary>The absolute value of a searchable number (see the class summary), or null.</summary>
    public static decimal? Searchable(string value)
    {
        if (!decimal.TryParse(value.Replace('−', '-'), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal number))
        {
            return null;
        }

        number = Math.Abs(number);
        if (number == decimal.Truncate(number))
        {
            return null;
        }

        string digits = number.ToString(CultureInfo.InvariantCulture).Replace(".", "", StringComparison.Ordinal).Trim('0');
        return digits.Length >= 2 ? number : null;
    }

    /// <summary>Where a number token of <paramref name="text"/> equals <paramref name="value"/> (or, before a %, 100 × it).</summary>
    public static IEnumerable<string> Occurrences(string text, decimal value)
    {
        foreach (Match m in NumberToken().Matches(text))
        {
            if (!decimal.TryParse(m.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal token))
            {
                continue;
            }

            if (token == value || (m.Groups["percent"].Success && token / 100 == value))
            {
                int from = Math.Max(0, m.Index - 60), to = Math.Min(text.Length, m.Index + m.Length + 60);
                yield return text[from..to].ReplaceLineEndings(" ");
            }
        }
    }

    [GeneratedRegex(@"^✅ Exercise (?<name>.+?): right(?: \((?<expected>.*)\))?\.$")]
    private static partial Regex RightLine();

    // Digits not preceded by a digit or a decimal point, with an optional fraction and exponent, not followed by more
    // digits or by a decimal point and digits; then an optional "%" (after spaces or TeX's \, \; \ ).
    [GeneratedRegex(@"(?<![\d.])(?<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?!\d|\.\d)(?<percent>(?:\s|\\[,;: ])*\\?%)?")]
    private static partial Regex NumberToken();
}
