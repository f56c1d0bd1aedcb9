using System.Globalization;

namespace BatchNormNotebooks.Grade;

/// <summary>The grader's command line.</summary>
/// <param name="Submissions">The folder holding one folder or zip per student.</param>
/// <param name="Kit">The students' kit (a folder or students.zip) whose checks grade the answers.</param>
/// <param name="OutDir">Where grades.csv and grades.html go.</param>
/// <param name="NotebookTimeout">Longest one notebook may run, kernel start included.</param>
/// <param name="Parallel">How many kernels run at once.</param>
/// <param name="Only">Notebook file-name prefixes to grade; empty means all.</param>
public sealed record GradeOptions(string Submissions, string Kit, string OutDir, TimeSpan NotebookTimeout, int Parallel, IReadOnlyList<string> Only)
{
    /// <summary>The default per-notebook time limit in seconds.</summary>
    public const int DefaultTimeoutSeconds = 300;

    /// <summary>Usage text for --help and errors.</summary>
    public static readonly string Usage = $"""
        Grades the students' notebooks: each student's answer cells run with the kit's own check cells, one fresh
        kernel per notebook, in a temporary copy of the kit.

        usage: dotnet run --project lib/BatchNormNotebooks.Grade -c Release -- SUBMISSIONS_DIR [options]

          SUBMISSIONS_DIR    one folder or .zip per student (its name is the student's), holding the handed-in
                             .dib notebooks (anywhere inside; file names as in the kit)
          --kit PATH         the students' kit, a folder or zip (default: handouts/students/ in the repository)
          --out DIR          where grades.csv and grades.html go (default: SUBMISSIONS_DIR)
          --timeout SECONDS  time limit per notebook, kernel start included (default: {DefaultTimeoutSeconds})
          --parallel N       kernels at once (default: one per core, {Environment.ProcessorCount} here)
          --only PREFIX      grade only notebooks whose file name starts with PREFIX (repeatable), e.g. --only 04
          --help             show this text

        Results per exercise: passed, failed, not answered, error (compile error, exception, not a .dib, corrupt
        zip) or timed out. Exit code 0 when every notebook was graded (whatever the grades), 2 for bad arguments.
        """;

    /// <summary>Parses <paramref name="args"/>; relative paths are taken from the current directory.</summary>
    /// <exception cref="ArgumentException">A bad or missing argument, or a submissions folder inside the
    /// repository's notebooks/ (grading runs code from there; the lecture's notebooks must not be touched).</exception>
    public static GradeOptions Parse(string[] args, string repoRoot)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? submissions = null, kit = null, outDir = null;
        double timeout = DefaultTimeoutSeconds;
        int parallel = Environment.ProcessorCount;
        var only = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--kit":
                    kit = Path.GetFullPath(Value());
                    break;
                case "--out":
                    outDir = Path.GetFullPath(Value());
                    break;
                case "--timeout":
                    string t = Value();
                    timeout = double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
                        ? s : throw new ArgumentException($"--timeout takes a positive number of seconds, not '{t}'.");
                    break;
                case "--parallel":
                    string p = Value();
                    parallel = int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
                        ? n : throw new ArgumentException($"--parallel takes a positive whole number, not '{p}'.");
                    break;
                case "--only":
                    only.Add(Value());
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"Unknown option '{args[i]}'.");
                    }

                    if (submissions is not null)
                    {
                        throw new ArgumentException($"One submissions folder, please: got '{submissions}' and '{args[i]}'.");
                    }

                    submissions = Path.GetFullPath(args[i]);
                    break;
            }
        }

        if (submissions is null)
        {
            throw new ArgumentException("No SUBMISSIONS_DIR given.");
        }

        if (!Directory.Exists(submissions))
        {
            throw new ArgumentException($"The submissions folder '{submissions}' does not exist.");
        }

        string lectureNotebooks = Path.GetFullPath(Path.Combine(repoRoot, "notebooks"));
        if (IsInside(submissions, lectureNotebooks))
        {
            throw new ArgumentException($"The submissions folder '{submissions}' is inside the repository's notebooks/ ({lectureNotebooks}): put the submissions elsewhere, so grading never touches the lecture's notebooks.");
        }

        kit ??= Path.Combine(repoRoot, "handouts", "students");
        if (!Directory.Exists(kit) && !File.Exists(kit))
        {
            throw new ArgumentException($"The students' kit '{kit}' does not exist: build it with `dotnet run --project lib/BatchNormNotebooks.Handouts -c Release`, or pass --kit.");
        }

        return new GradeOptions(submissions, kit, outDir ?? submissions, TimeSpan.FromSeconds(timeout), parallel, only);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or below it.</summary>
    public static bool IsInside(string path, string folder)
    {
        string p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) + Path.DirectorySeparatorChar;
        string f = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return p.StartsWith(f, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
