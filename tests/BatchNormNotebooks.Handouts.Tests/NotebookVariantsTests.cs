namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>The text side of the exercise variants, without a kernel; and every notebook's solutions file is complete.</summary>
public sealed class NotebookVariantsTests
{
    private const string Dib = """
        #!meta

        {"kernelInfo":{}}

        #!markdown

        **1.** Question?

        #!csharp

        double answer1Mean = double.NaN;   // μ
        double answer1Std = double.NaN;    // σ

        #!csharp

        Exercise.Check("1", answer1Mean, 1);

        #!markdown

        <!-- solutions: lecturer only -->
        <details><summary>Solutions</summary>

        1. One.

        </details>
        """;

    private static readonly ExerciseSolutions Blocks = ExerciseSolutions.Parse(
        "# comment\n#!solution answer1Mean\ndouble answer1Mean = 1;\ndouble answer1Std = 2;\n#!wrong answer1Mean\ndouble answer1Mean = 0;\ndouble answer1Std = 0;\n", "test");

    [Fact]
    public void Answer_cells_are_cells_of_answer_declarations_only()
    {
        Assert.Equal(["answer1Mean", "answer1Std"], NotebookVariants.AnswerNames("double answer1Mean = double.NaN;   // μ\ndouble answer1Std = double.NaN;"));
        Assert.Equal(["answer3"], NotebookVariants.AnswerNames("// comment\nbool? answer3 = null;"));
        Assert.Empty(NotebookVariants.AnswerNames("double answer1 = double.NaN;\nConsole.WriteLine(answer1);"));
        Assert.Empty(NotebookVariants.AnswerNames("Exercise.Check(\"1\", answer1, 1);"));
        Assert.Equal(["answerForward", "answerEps"], NotebookVariants.AnswerNames(
            "// ✎ Your answer: the forward pass\nMatrix<double> answerForward(Matrix<double> x, double[] gamma)\n{\n    var answerNotTopLevel = 1;\n    throw new NotImplementedException();\n}\ndouble answerEps = 1e-5;"));
        Assert.Empty(NotebookVariants.AnswerNames("// A function, but not an answer cell\nMatrix<double> answerForward(Matrix<double> x) => x;"));
    }

    [Fact]
    public void Lecturer_and_wrong_replace_the_answer_cell_students_drop_written_solutions()
    {
        string lecturer = NotebookVariants.Apply(Dib, Blocks, Variant.Lecturer, "t.dib");
        Assert.Contains("double answer1Mean = 1;\ndouble answer1Std = 2;", lecturer, StringComparison.Ordinal);
        Assert.DoesNotContain("double.NaN", lecturer, StringComparison.Ordinal);
        Assert.Contains("<details>", lecturer, StringComparison.Ordinal);

        string wrong = NotebookVariants.Apply(Dib, Blocks, Variant.Wrong, "t.dib");
        Assert.Contains("double answer1Mean = 0;", wrong, StringComparison.Ordinal);

        string students = NotebookVariants.Apply(Dib, Blocks, Variant.Students, "t.dib");
        Assert.Contains("double answer1Mean = double.NaN;", students, StringComparison.Ordinal);
        Assert.DoesNotContain("<details>", students, StringComparison.Ordinal);
        Assert.Contains("Exercise.Check", students, StringComparison.Ordinal);
    }

    [Fact]
    public void Written_solutions_are_dropped_by_their_mark_whatever_their_title_and_an_unmarked_one_is_an_error()
    {
        string retitled = Dib.Replace("<details><summary>Solutions</summary>", "<details><summary>Worked answers</summary>", StringComparison.Ordinal);
        string students = NotebookVariants.Apply(retitled, Blocks, Variant.Students, "t.dib");
        Assert.DoesNotContain("Worked answers", students, StringComparison.Ordinal);
        Assert.DoesNotContain("1. One.", students, StringComparison.Ordinal);

        string unmarked = Dib.Replace(NotebookVariants.SolutionsMark + "\n", "", StringComparison.Ordinal);
        Assert.NotEqual(Dib, unmarked);
        var e = Assert.Throws<FormatException>(() => NotebookVariants.Apply(unmarked, Blocks, Variant.Students, "t.dib"));
        Assert.Contains(NotebookVariants.SolutionsMark, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kit_form_loads_the_library_from_inside_the_kit()
    {
        string dib = "#!csharp\n\n// Setup 1/2\n#r \"../lib/BatchNormNotebooks.Interactive/bin/Release/net10.0/BatchNormNotebooks.Interactive.dll\"\n\n#!csharp\n\nvar x = 1;\n";
        string kit = NotebookVariants.ForKit(dib, "t.dib");
        Assert.Equal(dib.Replace("../lib/BatchNormNotebooks.Interactive/bin/Release/net10.0/BatchNormNotebooks.Interactive.dll", "../lib/BatchNormNotebooks.Interactive.dll", StringComparison.Ordinal), kit);
        Assert.Throws<FormatException>(() => NotebookVariants.ForKit(dib + "\n#!csharp\n\n#r \"x/BatchNormNotebooks.Interactive.dll\"\n", "t.dib"));
    }

    [Fact]
    public void The_students_handout_shows_the_kits_library_path_in_code_cells_only()
    {
        const string Repo = "#r \"../lib/BatchNormNotebooks.Interactive/bin/Release/net10.0/BatchNormNotebooks.Interactive.dll\"";
        var run = new ExecutedNotebook("01-x", "X", [
            new ExecutedCell(1, "csharp", "// Setup 1/2\n" + Repo, [], 0.1),
            new ExecutedCell(2, "markdown", "The setup cell runs " + Repo, [], 0),
        ], Variant.Students);
        var shown = NotebookVariants.ForKit(run);
        Assert.Equal("// Setup 1/2\n#r \"../lib/BatchNormNotebooks.Interactive.dll\"", shown.Cells[0].Source);
        Assert.Equal(run.Cells[1], shown.Cells[1]);
        Assert.Contains("bin/Release", run.Cells[0].Source, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void No_written_solution_or_reference_answer_reaches_the_students_notebook(string notebook)
    {
        string path = Path.Combine(Builder.RepoRoot, "notebooks", notebook);
        string text = File.ReadAllText(path);
        string students = NotebookVariants.Apply(text, ExerciseSolutions.Load(path), Variant.Students, path);
        var leaks = Leaks(text, ExerciseSolutions.Load(path), students).ToList();
        Assert.True(leaks.Count == 0, $"{notebook}: the students' form holds {string.Join(" | ", leaks)}");
    }

    /// <summary>
    /// The lines of <paramref name="lecturerDib"/>'s marked solution cells and of the solution blocks (at least 12
    /// characters, not also in an unmarked cell) that appear in <paramref name="students"/>, plus the mark itself.
    /// </summary>
    public static IEnumerable<string> Leaks(string lecturerDib, ExerciseSolutions solutions, string students)
    {
        var cells = NotebookFile.ParseDib(lecturerDib).Elements.Select(c => c.Contents).ToList();
        var elsewhere = cells.Where(c => !NotebookVariants.IsWrittenSolution(c)).SelectMany(c => c.Split('\n')).Select(l => l.Trim()).ToHashSet();
        var secret = cells.Where(NotebookVariants.IsWrittenSolution).SelectMany(c => c.Split('\n'))
            .Concat(solutions.Solutions.Values.SelectMany(b => b.Split('\n')))
            .Select(l => l.Trim())
            .Where(l => l.Length >= 12 && !elsewhere.Contains(l))
            .Distinct();
        var studentLines = students.Split('\n').Select(l => l.Trim()).ToHashSet();
        return secret.Where(studentLines.Contains).Concat(students.Contains(NotebookVariants.SolutionsMark, StringComparison.Ordinal) ? [NotebookVariants.SolutionsMark] : []);
    }

    [Fact]
    public void The_leak_check_finds_a_planted_leak()
    {
        string students = NotebookVariants.Apply(Dib, Blocks, Variant.Students, "t.dib");
        Assert.Empty(Leaks(Dib, Blocks, students));
        Assert.Equal(["double answer1Mean = 1;"], Leaks(Dib, Blocks, students + "\ndouble answer1Mean = 1;\n"));
    }

    [Fact]
    public void Missing_blocks_are_named()
    {
        var e = Assert.Throws<FormatException>(() => NotebookVariants.Apply(Dib, ExerciseSolutions.None, Variant.Lecturer, "t.dib"));
        Assert.Contains("answer1Mean", e.Message, StringComparison.Ordinal);
        var noWrong = Assert.Throws<FormatException>(() => ExerciseSolutions.Parse("#!solution answer1\ndouble answer1 = 1;\n", "s.txt"));
        Assert.Contains("#!wrong answer1", noWrong.Message, StringComparison.Ordinal);
        var unused = Assert.Throws<FormatException>(() => NotebookVariants.Apply(Dib, ExerciseSolutions.Parse(
            "#!solution answer1Mean\nx\n#!wrong answer1Mean\ny\n#!solution answer9\nz\n#!wrong answer9\nw\n", "s.txt"), Variant.Lecturer, "t.dib"));
        Assert.Contains("answer9", unused.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Notebooks() => [.. Builder.Notebooks];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Every_answer_cell_of_every_notebook_has_a_solution_and_a_wrong_answer(string notebook)
    {
        string path = Path.Combine(Builder.RepoRoot, "notebooks", notebook);
        string text = File.ReadAllText(path);
        var solutions = ExerciseSolutions.Load(path);
        string[] Code(string dib) => [.. NotebookFile.ParseDib(dib).Elements.Where(c => c.KernelName == "csharp").Select(c => c.Contents)];
        string[] original = Code(text);
        string[] lecturer = Code(NotebookVariants.Apply(text, solutions, Variant.Lecturer, path));
        string[] wrong = Code(NotebookVariants.Apply(text, solutions, Variant.Wrong, path));
        Assert.Equal(original, Code(NotebookVariants.Apply(text, solutions, Variant.Students, path)));
        Assert.Equal(original.Length, lecturer.Length);
        Assert.Equal(original.Length, wrong.Length);
        int answers = 0;
        for (int k = 0; k < original.Length; k++)
        {
            var names = NotebookVariants.AnswerNames(original[k]);
            if (names.Count == 0)
            {
                Assert.Equal(original[k], lecturer[k]);
                Assert.Equal(original[k], wrong[k]);
                continue;
            }

            answers++;
            string key = names.First(solutions.Solutions.ContainsKey);
            Assert.Equal(solutions.Solutions[key], lecturer[k]);
            Assert.Equal(solutions.Wrong[key], wrong[k]);
            Assert.True(lecturer[k] != wrong[k], $"{notebook}: the wrong answer of {key} is its solution");
            Assert.True(lecturer[k] != original[k], $"{notebook}: the solution of {key} is the unanswered cell");
        }

        Assert.Equal(solutions.Solutions.Count, answers);
    }

    /// <summary>
    /// Parsing a notebook with the Documents library and writing it back gives the original text, line for line: the
    /// cells' headers and contents and the blank line between them. Only the <c>#!meta</c> JSON may be spelled
    /// differently (the library writes its own form of the same kernel list), and extra blank lines at the end of a
    /// cell are dropped (the library trims them; three markdown cells in 04, 05 and 06 have two).
    /// </summary>
    [Fact]
    public void A_round_trip_through_the_Documents_library_keeps_every_notebook_cell_for_cell()
    {
        foreach (string notebook in Builder.Notebooks)
        {
            string text = File.ReadAllText(Path.Combine(Builder.RepoRoot, "notebooks", notebook)).Replace("\r\n", "\n", StringComparison.Ordinal);
            string back = NotebookFile.ToDib(NotebookFile.ParseDib(text));
            string[] before = CellEdgesTrimmed(text), after = CellEdgesTrimmed(back);
            Assert.Equal(before.Length, after.Length);
            for (int i = 0; i < before.Length; i++)
            {
                if (i == 2 && before[0] == "#!meta")
                {
                    Assert.Equal(KernelNames(before[i]), KernelNames(after[i]));
                    continue;
                }

                Assert.True(before[i] == after[i], $"{notebook}:{i + 1}: '{before[i]}' became '{after[i]}'");
            }

            Assert.Equal(before.Count(l => l is "#!csharp" or "#!markdown"), NotebookFile.ParseDib(text).Elements.Count);
        }
    }

    /// <summary>The lines of .dib text with the blank lines at the end of each cell (before a header, or at the end)
    /// cut to one before a header and none at the end.</summary>
    private static string[] CellEdgesTrimmed(string dib)
    {
        var lines = new List<string>();
        foreach (string line in dib.Split('\n'))
        {
            if (line.StartsWith("#!", StringComparison.Ordinal) && lines.Count > 0)
            {
                while (lines.Count > 0 && lines[^1].Length == 0)
                {
                    lines.RemoveAt(lines.Count - 1);
                }

                lines.Add("");
            }

            lines.Add(line);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return [.. lines];
    }

    /// <summary>The default kernel and the kernel names of a <c>#!meta</c> line.</summary>
    private static string KernelNames(string metaJson)
    {
        var info = System.Text.Json.Nodes.JsonNode.Parse(metaJson)!["kernelInfo"]!;
        return info["defaultKernelName"] + ": " + string.Join(", ", info["items"]!.AsArray().Select(k => (string?)k!["name"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_variants_parse_the_c_sharp_alias_header_as_csharp()
    {
        string dib = "#!c#\n\ndouble answer1Mean = double.NaN;\ndouble answer1Std = double.NaN;\n\n#!csharp\n\nExercise.Check(\"1\", answer1Mean, 1);\n";
        string lecturer = NotebookVariants.Apply(dib, Blocks, Variant.Lecturer, "t.dib");
        Assert.Contains("double answer1Mean = 1;", lecturer, StringComparison.Ordinal);
        Assert.All(NotebookFile.ParseDib(lecturer).Elements, c => Assert.Equal("csharp", c.KernelName));
    }
}
