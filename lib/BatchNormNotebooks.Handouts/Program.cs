// The handout builder: the README's main command.
//   dotnet run --project lib/BatchNormNotebooks.Handouts -c Release [-- --only 03 --out DIR --notebooks DIR --timeout S --pdf]
// Runs each notebook in its own real kernel (as VS Code does) and writes executed .ipynb + offline HTML handouts.
using System.Diagnostics;
using BatchNormNotebooks;
using BatchNormNotebooks.Handouts;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BuildOptions.Usage);
    return 0;
}

string repoRoot = RepoRoot.Find();
BuildOptions options;
try
{
    options = BuildOptions.Parse(args, repoRoot);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}\n\n{BuildOptions.Usage}");
    return 2;
}

var notebooks = Directory.EnumerateFiles(options.NotebookDir)
    .Where(NotebookFile.IsNotebook)
    .Where(p => options.Only.Count == 0 || options.Only.Any(o => Path.GetFileName(p).StartsWith(o, StringComparison.OrdinalIgnoreCase)))
    .Order(StringComparer.Ordinal)
    .ToList();
if (notebooks.Count == 0)
{
    Console.Error.WriteLine($"error: no notebooks in {options.NotebookDir}{(options.Only.Count > 0 ? $" matching {string.Join(", ", options.Only)}" : "")}.");
    return 2;
}

var total = Stopwatch.StartNew();
Prerequisites.Ensure(repoRoot);
var assets = HandoutAssets.Load(repoRoot);

// Build into a temporary folder beside the output, so a failure leaves the previous handouts as they were.
string outDir = Path.GetFullPath(options.OutDir);
string staging = $"{outDir.TrimEnd(Path.DirectorySeparatorChar)}.building-{Environment.ProcessId}";
Directory.CreateDirectory(staging);
var timings = new List<CellTiming>();
var executed = new List<ExecutedNotebook>();
var studentRuns = new List<(string Path, ExecutedNotebook Run)>();
try
{
    foreach (var variant in options.Variants)
    {
        // handouts/lecturer/ (solutions), handouts/students/ (the students' kit: publishable), handouts/wrong/ (tests).
        string folder = Path.Combine(staging, variant.ToString().ToLowerInvariant());
        Directory.CreateDirectory(folder);
        for (int n = 0; n < notebooks.Count; n++)
        {
            Console.WriteLine($"[{n + 1}/{notebooks.Count}] {Path.GetFileName(notebooks[n])} ({variant.ToString().ToLowerInvariant()})");
            var (notebook, cellTimings) = await NotebookRunner.RunAsync(notebooks[n], repoRoot, options.CellTimeout, variant);
            timings.AddRange(cellTimings);
            ExerciseVerdict.Verify(notebook, ExerciseSolutions.Load(notebooks[n]), []);
            executed.Add(notebook);
            if (variant != Variant.Students)
            {
                // The students' kit holds no .ipynb: its notebooks are the .dib files in students/notebooks/.
                IpynbWriter.Write(notebook, Path.Combine(folder, notebook.Name + ".ipynb"));
            }
            else
            {
                studentRuns.Add((notebooks[n], notebook));
            }

            File.WriteAllText(Path.Combine(folder, notebook.Name + ".html"), HtmlHandout.Render(variant == Variant.Students ? NotebookVariants.ForKit(notebook) : notebook, assets));
            Console.WriteLine($"  → {Path.GetRelativePath(staging, Path.Combine(folder, notebook.Name))}.html ({notebook.Cells.Sum(c => c.Seconds):0.0} s in cells, {notebook.Claims.Count()} claims, {notebook.LiveCells} live cells)");
        }
    }
}
catch (CellFailedException e)
{
    timings.AddRange(e.Timings);
    Directory.Delete(staging, recursive: true);
    string failedReport = Path.Combine(Path.GetTempPath(), $"bnn-handouts-report-{Environment.ProcessId}.json");
    RunReport.Write(failedReport, timings);
    Console.Error.WriteLine($"\nerror: {e.Message}");
    Console.Error.WriteLine($"{outDir} was left untouched; this run's report: {failedReport}");
    return 1;
}

if (studentRuns.Count > 0)
{
    string kit = Path.Combine(staging, "students");
    StudentKit.Write(kit, repoRoot, studentRuns);
    StudentKit.Zip(kit, Path.Combine(staging, "students.zip"));
    Console.WriteLine($"Students' kit: students/ and students.zip ({new FileInfo(Path.Combine(staging, "students.zip")).Length / 1e6:0.0} MB)");
}

if (options.Variants.Contains(Variant.Lecturer))
{
    File.WriteAllText(Path.Combine(staging, "lecturer", "index.html"), IndexPage.Render(executed));
}

File.WriteAllText(Path.Combine(staging, "index.html"), IndexPage.RenderTop(options.Variants));
RunReport.Write(Path.Combine(staging, "report.json"), timings, executed);
if (Directory.Exists(outDir))
{
    Directory.Delete(outDir, recursive: true);
}

Directory.Move(staging, outDir);
if (options.Pdf)
{
    await HandoutPdf.PrintAllAsync(outDir, Console.WriteLine);
}

Console.WriteLine($"\n{executed.Count} handout(s) in {outDir} ({total.Elapsed.TotalSeconds:0} s). Open {Path.Combine(outDir, "index.html")}");
if (timings.Count > 0)
{
    // The notebooks promise every cell under 3 s on a 2-core machine; say which ones break it (not an error: load varies).
    var slowest = timings.MaxBy(t => t.Seconds)!;
    var slow = timings.Where(t => t.Seconds > 3).ToList();
    Console.WriteLine($"Slowest cell: {slowest.Notebook}:{slowest.Cell} {slowest.Seconds:0.0} s; " +
        (slow.Count == 0 ? "no cell over 3 s." : $"{slow.Count} cell(s) over 3 s: {string.Join(", ", slow.Select(t => $"{t.Notebook}:{t.Cell} ({t.Seconds:0.0} s)"))}"));
}

return 0;
