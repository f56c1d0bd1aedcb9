// The grader: the lecturer's nbgrader-style autograde for the students' kit.
//   dotnet run --project lib/BatchNormNotebooks.Grade -c Release -- SUBMISSIONS_DIR [--kit PATH --out DIR --timeout S --parallel N --only NN]
// Each student's answer cells run with the kit's own check cells, one fresh kernel per notebook in a temporary copy.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using BatchNormNotebooks;
using BatchNormNotebooks.Grade;
using BatchNormNotebooks.Handouts;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(GradeOptions.Usage);
    return 0;
}

string repoRoot = RepoRoot.Find();
GradeOptions options;
try
{
    options = GradeOptions.Parse(args, repoRoot);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n\n{GradeOptions.Usage}");
    return 2;
}

// The interactive client library routes Console.Out per async context while kernels run, so lines written from the
// grading tasks could vanish: progress goes straight to the process's standard output.
var log = TextWriter.Synchronized(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
var total = Stopwatch.StartNew();
string scratch = Path.Combine(Path.GetTempPath(), $"bnn-grade-{Environment.ProcessId}");
Directory.CreateDirectory(scratch);
try
{
    // A private pristine copy of the kit: no submission's code can reach the copy every run starts from.
    string kit = Path.Combine(scratch, "kit");
    IReadOnlyDictionary<string, List<KitExercise>> manifest;
    try
    {
        if (File.Exists(options.Kit))
        {
            ZipFile.ExtractToDirectory(options.Kit, kit);
            var top = Directory.GetDirectories(kit);
            if (!File.Exists(Path.Combine(kit, StudentKit.ExercisesFile)) && top.Length == 1 && Directory.GetFiles(kit).Length == 0)
            {
                kit = top[0];
            }
        }
        else
        {
            StudentKit.CopyTree(options.Kit, kit, f => !f.EndsWith(".html", StringComparison.OrdinalIgnoreCase));
        }

        manifest = StudentKit.ReadExercises(kit);
    }
    catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: cannot read the students' kit {options.Kit}: {e.Message}");
        return 2;
    }

    var notebooks = manifest.Keys
        .Where(n => options.Only.Count == 0 || options.Only.Any(o => n.StartsWith(o, StringComparison.OrdinalIgnoreCase)))
        .Order(StringComparer.Ordinal)
        .ToList();
    if (notebooks.Count == 0)
    {
        Console.Error.WriteLine($"error: the kit has no notebooks{(options.Only.Count > 0 ? $" matching {string.Join(", ", options.Only)}" : "")}.");
        return 2;
    }

    Prerequisites.EnsureKernelTool(repoRoot);
    var submissions = Submission.ReadAll(options.Submissions, notebooks, Path.Combine(scratch, "submissions"), log);
    int graded = notebooks.Count(n => manifest[n].Count > 0);
    log.WriteLine($"Grading {submissions.Count} submission(s) × {graded} notebook(s) with exercises, {options.Parallel} kernel(s) at once, {options.NotebookTimeout.TotalSeconds:0} s per notebook; kit {options.Kit}");

    var rows = new ConcurrentDictionary<(int Student, int Notebook), IReadOnlyList<GradeRow>>();
    var runSeconds = new ConcurrentBag<double>();
    var remaining = submissions.Select(s => notebooks.Count).ToArray();
    var jobs = submissions.SelectMany((s, i) => notebooks.Select((n, j) => (Student: i, Notebook: j))).ToList();
    int finishedStudents = 0;
    await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = options.Parallel }, async (job, _) =>
    {
        var submission = submissions[job.Student];
        string notebook = notebooks[job.Notebook];
        var exercises = manifest[notebook];
        IReadOnlyList<GradeRow> result;
        if (submission.Problem is not null)
        {
            result = [.. exercises.Select(e => new GradeRow(submission.Student, notebook, e.Name, GradeResult.Error, submission.Problem))];
        }
        else if (exercises.Count == 0)
        {
            result = [];
        }
        else
        {
            string runDir = Path.Combine(scratch, "runs", $"{job.Student:D4}-{job.Notebook:D2}");
            var watch = Stopwatch.StartNew();
            submission.Files.TryGetValue(notebook, out var handedIn);
            result = await NotebookGrader.GradeAsync(submission.Student, notebook, handedIn, exercises, kit, runDir, repoRoot, options.NotebookTimeout);
            if (handedIn?.Text is not null)
            {
                runSeconds.Add(watch.Elapsed.TotalSeconds);
                log.WriteLine($"  {submission.Student} · {notebook}: {Count(result, GradeResult.Passed)}/{result.Count} passed ({watch.Elapsed.TotalSeconds:0.0} s)");
            }

            try
            {
                if (Directory.Exists(runDir))
                {
                    Directory.Delete(runDir, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"  could not delete {runDir}: {e.Message}");
            }
        }

        rows[job] = result;
        if (Interlocked.Decrement(ref remaining[job.Student]) == 0)
        {
            var mine = rows.Where(r => r.Key.Student == job.Student).SelectMany(r => r.Value).ToList();
            int done = Interlocked.Increment(ref finishedStudents);
            log.WriteLine($"[{done}/{submissions.Count}] {submission.Student}: {Count(mine, GradeResult.Passed)}/{mine.Count} passed" +
                (submission.Problem is not null ? $" ({submission.Problem})" : ""));
        }
    });

    var all = rows.OrderBy(r => r.Key.Student).ThenBy(r => r.Key.Notebook).SelectMany(r => r.Value).ToList();
    string summary = $"{submissions.Count} student(s), {all.Count} exercise result(s): {Count(all, GradeResult.Passed)} passed, {Count(all, GradeResult.Failed)} failed, " +
        $"{Count(all, GradeResult.NotAnswered)} not answered, {Count(all, GradeResult.Error)} error, {Count(all, GradeResult.TimedOut)} timed out; " +
        $"{runSeconds.Count} notebook run(s), {(runSeconds.IsEmpty ? 0 : runSeconds.Average()):0.0} s each on average, {total.Elapsed.TotalSeconds:0} s in all.";
    Directory.CreateDirectory(options.OutDir);
    File.WriteAllText(Path.Combine(options.OutDir, "grades.csv"), GradeReport.Csv(all));
    File.WriteAllText(Path.Combine(options.OutDir, "grades.html"), GradeReport.Html(all, summary));
    log.WriteLine($"\n{summary}\n→ {Path.Combine(options.OutDir, "grades.csv")}, {Path.Combine(options.OutDir, "grades.html")}");
    return 0;
}
finally
{
    try
    {
        Directory.Delete(scratch, recursive: true);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"could not delete {scratch}: {e.Message}");
    }
}

static int Count(IEnumerable<GradeRow> rows, GradeResult result) => rows.Count(r => r.Result == result);
