namespace BatchNormNotebooks.Handouts;

/// <summary>The builder's command line.</summary>
/// <param name="NotebookDir">Folder with the notebooks (default: notebooks/).</param>
/// <param name="OutDir">Where the handouts go (default: handouts/).</param>
/// <param name="Only">File-name prefixes to run (e.g. "03"); empty means all.</param>
/// <param name="CellTimeout">Longest a single cell may run.</param>
/// <param name="Variants">The forms to build (default: the lecturer's, then the students').</param>
public sealed record BuildOptions(string NotebookDir, string OutDir, IReadOnlyList<string> Only, TimeSpan CellTimeout, IReadOnlyList<Variant> Variants)
{
    /// <summary>Also print every handout to PDF (<see cref="HandoutPdf"/>).</summary>
    public bool Pdf { get; init; }

    /// <summary>Usage text for --help and errors.</summary>
    public const string Usage = """
        Runs every notebook in its own real .NET Interactive kernel and writes handouts.

        usage: dotnet run --project lib/BatchNormNotebooks.Handouts -c Release -- [options]

          --only PREFIX      run only notebooks whose file name starts with PREFIX (repeatable), e.g. --only 03
          --out DIR          output folder (default: handouts/ in the repository root)
          --notebooks DIR    notebook folder (default: notebooks/ in the repository root)
          --timeout SECONDS  per-cell timeout (default: 600)
          --variant NAME     lecturer, students or wrong (repeatable; default: lecturer and students)
          --pdf              also print every handout to DIR/pdf/NN-name.pdf (students': DIR/pdf/students/) with a
                             headless Chromium, Chrome or Edge (BNN_BROWSER, or the first found, as the tests do)
          --help             show this text

        Writes DIR/lecturer/ (NN-name.ipynb executed and NN-name.html, exercise answers filled from
        notebooks/solutions/NN-name.txt, every check must print ✅; index.html links both folders), DIR/students/, the
        students' kit (handouts, notebooks/NN-name.dib without solutions, the built library and data in lib/, README.md,
        index.html; checks print "not answered"), DIR/students.zip (the kit zipped), DIR/index.html and
        DIR/report.json (cell times, claims, exercises, live cells). The wrong variant (for the tests, DIR/wrong/)
        fills every answer with a planted mistake; every check must print ❌. A failing cell, a false claim or a check
        with the wrong verdict stops the build with exit code 1 and leaves DIR untouched.
        """;

    /// <summary>Parses <paramref name="args"/>; relative paths are taken from the current directory.</summary>
    public static BuildOptions Parse(string[] args, string repoRoot)
    {
        string notebooks = Path.Combine(repoRoot, "notebooks");
        string output = Path.Combine(repoRoot, "handouts");
        var only = new List<string>();
        double timeout = 600;
        var variants = new List<Variant>();
        bool pdf = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--only":
                    only.Add(Value());
                    break;
                case "--out":
                    output = Path.GetFullPath(Value());
                    break;
                case "--notebooks":
                    notebooks = Path.GetFullPath(Value());
                    break;
                case "--timeout":
                    timeout = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--variant":
                    string name = Value();
                    variants.Add(Enum.TryParse(name, ignoreCase: true, out Variant v) && Enum.IsDefined(v)
                        ? v
                        : throw new ArgumentException($"--variant takes lecturer, students or wrong, not '{name}'."));
                    break;
                case "--pdf":
                    pdf = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return new BuildOptions(notebooks, output, only, TimeSpan.FromSeconds(timeout), variants.Count > 0 ? variants.Distinct().ToList() : [Variant.Lecturer, Variant.Students]) { Pdf = pdf };
    }
}
