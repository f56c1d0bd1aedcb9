using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BatchNormNotebooks.Benchmarks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project tests/BatchNormNotebooks.Benchmarks            → the comparison table (BenchmarkDotNet + PyTorch)
// dotnet run -c Release --project tests/BatchNormNotebooks.Benchmarks -- --bdn …  → plain BenchmarkDotNet switcher
if (args.Length > 0 && args[0] == "--bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(BatchNormBenchmarks).Assembly).Run(args[1..],
        DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)));
    return 0;
}

// In-process: the generated out-of-process project would inherit this repo's central package management and fail to build.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(12).WithToolchain(InProcessEmitToolchain.Instance));
Summary[] summaries = [.. BenchmarkRunner.Run([typeof(BatchNormBenchmarks), typeof(TriadBenchmark), typeof(MlpStepBenchmark)], config)];
double Ms(string method, string? shape = null) => summaries.SelectMany(s => s.Reports)
    .First(r => r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Contains(method, StringComparison.Ordinal)
        && (shape is null || (string)r.BenchmarkCase.Parameters["Shape"] == shape))
    .ResultStatistics!.Mean / 1e6;

Console.WriteLine("Running the PyTorch side (/usr/bin/python3, torch.set_num_threads(2)) …");
string[] shapes = ["256x256", "4096x1024", "65536x256"];
var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "torch_batchnorm.py"), .. shapes]) { RedirectStandardOutput = true };
using var python = Process.Start(psi)!;
string json = python.StandardOutput.ReadToEnd();
python.WaitForExit();
using var torch = JsonDocument.Parse(json);

double triad1 = TriadBenchmark.Bytes / (Ms("triad, 1 thread") / 1e3) / 1e9;
double triad2 = TriadBenchmark.Bytes / (Ms("triad, 2 threads") / 1e3) / 1e9;
var table = new StringBuilder();
table.AppendLine(CultureInfo.InvariantCulture, $"PyTorch {torch.RootElement.GetProperty("torch")} ({torch.RootElement.GetProperty("threads")} threads) vs BatchNormNotebooks, float32, {Environment.ProcessorCount} cores, triad {triad1:F1} GB/s (1 thread) / {triad2:F1} GB/s (2 threads)");
table.AppendLine();
table.AppendLine("| what | shape | naive ms | ours ms | PyTorch ms | PyTorch ÷ ours | GB/s moved | % of 2-thread triad |");
table.AppendLine("|---|---|---|---|---|---|---|---|");
foreach (string shape in shapes)
{
    int n = int.Parse(shape.Split('x')[0], CultureInfo.InvariantCulture), c = int.Parse(shape.Split('x')[1], CultureInfo.InvariantCulture);
    double ours = Ms("library kernels", shape), naive = Ms("naive scalar", shape);
    double pt = torch.RootElement.GetProperty("fwd_bwd_ms").GetProperty(shape).GetDouble();
    double gbs = BatchNormBenchmarks.BytesMoved(n, c) / (ours / 1e3) / 1e9;
    table.AppendLine(CultureInfo.InvariantCulture, $"| BN fwd+bwd (train) | {shape} | {naive:F3} | {ours:F3} | {pt:F3} | {pt / ours:F2}× | {gbs:F1} | {gbs / triad2:P0} |");
}

foreach (string shape in shapes)
{
    double ours = Ms("library eval forward", shape);
    double pt = torch.RootElement.GetProperty("eval_ms").GetProperty(shape).GetDouble();
    table.AppendLine(CultureInfo.InvariantCulture, $"| BN eval forward | {shape} | – | {ours:F3} | {pt:F3} | {pt / ours:F2}× | | |");
}

double mlp = Ms("MLP train step"), mlpTorch = torch.RootElement.GetProperty("mlp_step_ms").GetDouble();
table.AppendLine(CultureInfo.InvariantCulture, $"| MLP 784-100-100-100-10 train step | batch 60 | – | {mlp:F3} | {mlpTorch:F3} | {mlpTorch / mlp:F2}× | | |");
Console.WriteLine();
Console.WriteLine(table);
Directory.CreateDirectory("BenchmarkDotNet.Artifacts");
File.WriteAllText(Path.Combine("BenchmarkDotNet.Artifacts", "comparison.md"), table.ToString());
return 0;
