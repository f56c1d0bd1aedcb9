using System.Globalization;
using BatchNormNotebooks;

// Recomputes the paper's Figure 1 (Ioffe & Szegedy 2015, §4.1) at full scale into notebooks/data/figure1-full.json:
//   dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release [-- --steps N] [--seed S] [--out PATH]
//     [--lr PLAIN BN] (skip the learning-rate protocol) [--tuning-steps N]
//   ... -- --live N [--test-count M]: times Figure1Experiment.RunLive (the notebook's live cell) against the stored file.
//   ... -- --seed S --out notebooks/data/figure1-seedS.json: the other seeds of notebook 02's Figure 1 (Figure1Seeds).
//   ... -- --moons: notebook 02's two-moons study (MoonStudy) into notebooks/data/moons-study.json instead.
// Both networks train in parallel, one per core; progress is printed every 5,000 steps.
var options = new Figure1Options();
(double, double)? rates = null;
string? output = null;
int? live = null, testCount = null;
bool moons = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--steps": options = options with { Steps = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--seed": options = options with { Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--tuning-steps": options = options with { TuningSteps = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--lr": rates = (double.Parse(Next(), CultureInfo.InvariantCulture), double.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "--out": output = Next(); break;
        case "--live": live = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--test-count": testCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--moons": moons = true; break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release [-- --steps N] [--seed S] [--tuning-steps N] [--lr PLAIN BN] [--out PATH]");
            return 2;
    }
}

if (moons)
{
    string moonsPath = output ?? Path.Combine(RepoRoot.Find(), NotebookData.DataFolder, MoonStudy.FileName);
    var study = MoonStudy.Compute();
    study.Save(moonsPath);
    Console.WriteLine($"{study}\nWrote {moonsPath}");
    return 0;
}

output ??= Path.Combine(RepoRoot.Find(), NotebookData.DataFolder, NotebookData.Figure1FullFile);
var clock = System.Diagnostics.Stopwatch.StartNew();
var (train, test) = NotebookData.LoadMnistFull();
Console.WriteLine($"Loaded {train} and {test.Name} in {clock.Elapsed.TotalSeconds:F1} s".Replace(string.Join(", ", train.FeatureNames), "784 pixels"));
if (live is int liveSteps)
{
    var full = NotebookData.LoadFigure1Full();
    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    var liveClock = System.Diagnostics.Stopwatch.StartNew();
    var liveResult = Figure1Experiment.RunLive(train, test, full, liveSteps, testCount);
    double cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    Console.WriteLine($"RunLive({liveSteps} steps, {testCount?.ToString(CultureInfo.InvariantCulture) ?? "all"} test digits): {liveClock.Elapsed.TotalSeconds:F2} s wall, {cpuSeconds:F2} s CPU on {Environment.ProcessorCount} cores");
    foreach (var (mine, stored) in liveResult.Curves.Zip(full.Curves))
    {
        var prefix = stored.Prefix(liveSteps);
        bool same = testCount is null && prefix.TestAccuracy.SequenceEqual(mine.TestAccuracy) && prefix.P50.SequenceEqual(mine.P50);
        Console.WriteLine($"{mine}\n  equals the stored full run's first {prefix.Steps.Length} records bit for bit: {same}");
    }

    return 0;
}

var progress = new ConsoleProgress(Math.Max(options.Steps / 10, 1));
string command = Figure1Experiment.FullCommand + (args.Length == 0 ? "" : " -- " + string.Join(' ', args));
var result = Figure1Experiment.Run(train, test, options, rates, command, progress);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
result.Save(output);
Console.WriteLine(result);
Console.WriteLine($"Wrote {output} ({new FileInfo(output).Length / 1024.0:F1} KiB) in {clock.Elapsed.TotalSeconds:F1} s in all.");
return 0;

/// <summary>Prints every <c>every</c>-th step of each run, and the end of every tuning trial.</summary>
internal sealed class ConsoleProgress(int every) : IProgress<Figure1Progress>
{
    private readonly Lock _lock = new();

    public void Report(Figure1Progress value)
    {
        if (value.Step % every == 0 || value.Step == value.Steps)
        {
            lock (_lock)
            {
                Console.WriteLine(value);
            }
        }
    }
}
