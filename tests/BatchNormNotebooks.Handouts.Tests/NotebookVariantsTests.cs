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
        var cells = DibCells.Split(lecturerDib);
        var elsewhere = cells.Where(c => !NotebookVariants.IsWrittenSolution(c.Body)).SelectMany(c => c.Body.Split('\n')).Select(l => l.Trim()).ToHashSet();
        var secret = cells.Where(c => NotebookVariants.IsWrittenSolution(c.Body)).SelectMany(c => c.Body.Split('\n'))
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
        var solutions = ExerciseSolutions.Load(path);
        foreach (var variant in new[] { Variant.Lecturer, Variant.Wrong, Variant.Students })
        {
            string text = NotebookVariants.Apply(File.ReadAllText(path), solutions, variant, path);
            Assert.Equal(DibCells.Split(File.ReadAllText(path)).Count(c => c.Kernel == "csharp"), DibCells.Split(text).Count(c => c.Kernel == "csharp"));
        }
    }

    [Fact]
    public void Split_and_join_keep_every_notebook_cell_for_cell()
    {
        foreach (string notebook in Builder.Notebooks)
        {
            string text = File.ReadAllText(Path.Combine(Builder.RepoRoot, "notebooks", notebook));
            var cells = DibCells.Split(text);
            Assert.Equal(cells, DibCells.Split(DibCells.Join(cells)));
            Assert.Equal(text.Split('\n').Count(l => l is "#!csharp" or "#!markdown" or "#!meta"), cells.Count);
        }
    }
}
