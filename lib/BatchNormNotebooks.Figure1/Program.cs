using System.Globalization;
using BatchNormNotebooks;

// Recomputes the paper's Figure 1 (Ioffe & Szegedy 2015, §4.1) at full scale into notebooks/data/figure1-full.json:
//   dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release [-- --steps N] [--seed S] [--out PATH]
//     [--lr PLAIN BN] (skip the learning-rate protocol) [--tuning-steps N]
// Both networks train in parallel, one per core; progress is printed every 5,000 steps.
var options = new Figure1Options();
(double, double)? rates = null;
string? output = null;
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
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release [-- --steps N] [--seed S] [--tuning-steps N] [--lr PLAIN BN] [--out PATH]");
            return 2;
    }
}

output ??= Path.Combine(RepoRoot(), "notebooks", "data", "figure1-full.json");
var clock = System.Diagnostics.Stopwatch.StartNew();
var (train, test) = MnistFull.Load();
Console.WriteLine($"Loaded {train} and {test.Name} in {clock.Elapsed.TotalSeconds:F1} s".Replace(string.Join(", ", train.FeatureNames), "784 pixels"));
var progress = new ConsoleProgress(Math.Max(options.Steps / 10, 1));
string command = Figure1Experiment.FullCommand + (args.Length == 0 ? "" : " -- " + string.Join(' ', args));
var result = Figure1Experiment.Run(train, test, options, rates, command, progress);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
result.Save(output);
Console.WriteLine(result);
Console.WriteLine($"Wrote {output} ({new FileInfo(output).Length / 1024.0:F1} KiB) in {clock.Elapsed.TotalSeconds:F1} s in all.");
return 0;

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "BatchNormNotebooks.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("Run from inside the repository (BatchNormNotebooks.sln not found above the current folder), or pass --out PATH.");
}

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
