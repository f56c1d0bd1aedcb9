using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BatchNormNotebooks;
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
// The naive reference at (65536, 256) takes over 20 s per call under load: a generous in-process timeout.
// Load average before and after: the table is only as good as the machine was quiet.
static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]);
string loadBefore = LoadAverage();
var clock = Stopwatch.StartNew();
// A short job (3 warm-up, 8 measured iterations of about 250 ms) keeps the whole run near 15 minutes on 2 cores; the
// table reports medians, as the PyTorch side does, because a shared machine's outliers are one-sided.
// `-- --dry` runs every benchmark once and skips Figure 1: a check that the table builds, not a measurement.
// `-- --no-figure1` skips the Figure 1 computation (two cores for a minute; many minutes on a busy machine).
bool dry = args.Contains("--dry");
bool figure1 = !dry && !args.Contains("--no-figure1");
var job = dry ? Job.Dry : Job.Default.WithWarmupCount(3).WithIterationCount(8).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250));
var config = DefaultConfig.Instance.AddJob(job.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)));
Summary[] summaries = [.. BenchmarkRunner.Run([typeof(BatchNormBenchmarks), typeof(TriadBenchmark), typeof(FmaPeakBenchmark), typeof(MlpStepBenchmark)], config)];
BenchmarkReport Report(string method, string? shape = null, bool? batchNorm = null) => summaries.SelectMany(s => s.Reports)
    .First(r => r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'') == method
        && (shape is null || (string)r.BenchmarkCase.Parameters["Shape"] == shape)
        && (batchNorm is null || (bool)r.BenchmarkCase.Parameters["BatchNorm"] == batchNorm));
double Ms(string method, string? shape = null, bool? batchNorm = null) => Report(method, shape, batchNorm).ResultStatistics!.Median / 1e6;
// The yardsticks (triad, FMA peak) take the fastest iteration: a peak is what the machine can do, and a shared VM's
// disturbances only ever slow an iteration down (the median of a disturbed run once gave a 512-bit peak 30 % low).
double FastestMs(string method) => Report(method).ResultStatistics!.Min / 1e6;
string Allocated(string method, string? shape = null, bool? batchNorm = null)
{
    var r = Report(method, shape, batchNorm);
    long? bytes = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase);
    string size = bytes is null ? "?" : bytes < 1024 ? $"{bytes} B" : $"{bytes / 1024.0:F0} KiB";
    // Collections per 1000 calls: gen-2, the large-object heap's price for fresh outputs of 85 KB and more; gen-1 (gen-2
    // included, as the runtime counts them), the output pool's forced collections when a caller holds the last output.
    double gen2 = r.GcStats.TotalOperations == 0 ? 0 : 1000.0 * r.GcStats.Gen2Collections / r.GcStats.TotalOperations;
    double gen1 = r.GcStats.TotalOperations == 0 ? 0 : 1000.0 * r.GcStats.Gen1Collections / r.GcStats.TotalOperations;
    string collections = gen2 >= 0.5 ? $", {gen2:F0} gen-2" : "";
    collections += gen1 >= 0.5 ? $", {gen1:F0} gen-1" : "";
    return collections.Length > 0 ? string.Create(CultureInfo.InvariantCulture, $"{size}{collections} GCs per 1000") : size;
}

Console.WriteLine("Running the PyTorch side (/usr/bin/python3, torch.set_num_threads(2) and OpenBLAS's pool at 2 threads, then both at 1) …");
// PyTorch's products run on whatever libblas.so.3 the machine has (Debian builds it BLAS_INFO=generic); the script reports
// which file provides sgemm_ and times nothing on the reference BLAS, which would make PyTorch 12× slower than it is.
string[] shapes = ["256x256", "4096x1024", "65536x256"];
var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "torch_batchnorm.py"), .. shapes]) { RedirectStandardOutput = true };
using var python = Process.Start(psi)!;
string json = python.StandardOutput.ReadToEnd();
python.WaitForExit();
using var torch = JsonDocument.Parse(json);
bool referenceBlas = torch.RootElement.GetProperty("reference_blas").GetBoolean();
string BlasThreads(string key) => torch.RootElement.TryGetProperty(key, out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt32().ToString(CultureInfo.InvariantCulture) : "not set";
string blasLine = $"PyTorch's BLAS: BLAS_INFO={torch.RootElement.GetProperty("blas_info")}, sgemm_ from {torch.RootElement.GetProperty("blas_sgemm_from")}"
    + (referenceBlas ? "" : $"; OpenBLAS threads set with torch's: {BlasThreads("blas_threads")} in the 2-thread columns, {BlasThreads("blas_threads_1thread")} in the 1-thread ones");
double Torch(string what, string key) => referenceBlas ? double.NaN : torch.RootElement.GetProperty(what).GetProperty(key).GetDouble();
string Pt(double ms) => double.IsNaN(ms) ? "refused (reference BLAS)" : ms.ToString("F3", CultureInfo.InvariantCulture);
string Ratio(double pt, double ours) => double.IsNaN(pt) ? "–" : (pt / ours).ToString("F2", CultureInfo.InvariantCulture) + "×";

double triad1 = TriadBenchmark.Bytes / (FastestMs("triad, 1 thread") / 1e3) / 1e9;
double triad2 = TriadBenchmark.Bytes / (FastestMs("triad, 2 threads") / 1e3) / 1e9;
double peak256 = FmaPeakBenchmark.FlopsPerThread256 / (FastestMs("FMA peak 256-bit, 1 thread") / 1e3) / 1e9;
double peakAll256 = Environment.ProcessorCount * FmaPeakBenchmark.FlopsPerThread256 / (FastestMs("FMA peak 256-bit, all cores") / 1e3) / 1e9;
// The yardstick is the widest FMA the machine has: 512-bit where AVX-512 is accelerated (the products use it there).
bool wide = FmaPeakBenchmark.Has512;
double peak1 = wide ? FmaPeakBenchmark.FlopsPerThread512 / (FastestMs("FMA peak 512-bit (256-bit where not accelerated), 1 thread") / 1e3) / 1e9 : peak256;
double peakAll = wide ? Environment.ProcessorCount * FmaPeakBenchmark.FlopsPerThread512 / (FastestMs("FMA peak 512-bit (256-bit where not accelerated), all cores") / 1e3) / 1e9 : peakAll256;
string peakLine = wide
    ? string.Create(CultureInfo.InvariantCulture, $"FMA peak {peak1:F0} GFLOP/s (1 core) / {peakAll:F0} GFLOP/s (all cores) with 512-bit vectors, the yardstick below; {peak256:F0} / {peakAll256:F0} with 256-bit")
    : string.Create(CultureInfo.InvariantCulture, $"FMA peak {peak1:F0} GFLOP/s (1 core) / {peakAll:F0} GFLOP/s (all cores) with 256-bit vectors (no accelerated 512-bit vectors here)");
var table = new StringBuilder();
table.AppendLine(CultureInfo.InvariantCulture, $"PyTorch {torch.RootElement.GetProperty("torch")} ({torch.RootElement.GetProperty("threads")} threads) vs BatchNormNotebooks, float32, medians ({Environment.ProcessorCount} cores; the triad and FMA peak from each one's fastest iteration), triad {triad1:F1} GB/s (1 thread) / {triad2:F1} GB/s (2 threads), {peakLine}");
table.AppendLine(CultureInfo.InvariantCulture, $"{blasLine}{(referenceBlas ? " — the reference BLAS: no PyTorch column; apt-get install libopenblas0-pthread" : "")}");
table.AppendLine();
table.AppendLine("| what | shape | naive ms | ours ms | ours ÷ kernels | PyTorch ms (2 threads) | PyTorch ÷ ours | PyTorch ms (1 thread) | PyTorch 1 thread ÷ ours | GB/s moved | % of 2-thread triad | allocated per call |");
table.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (string shape in shapes)
{
    int n = int.Parse(shape.Split('x')[0], CultureInfo.InvariantCulture), c = int.Parse(shape.Split('x')[1], CultureInfo.InvariantCulture);
    double kernels = Ms("library kernels", shape), naive = Ms("naive scalar", shape);
    double pt = Torch("fwd_bwd_ms", shape), pt1 = Torch("fwd_bwd_ms_1thread", shape);
    double gbs = BatchNormBenchmarks.BytesMoved(n, c) / (kernels / 1e3) / 1e9;
    table.AppendLine(CultureInfo.InvariantCulture, $"| BN fwd+bwd (train), kernels | {shape} | {naive:F3} | {kernels:F3} | 1 | {Pt(pt)} | {Ratio(pt, kernels)} | {Pt(pt1)} | {Ratio(pt1, kernels)} | {gbs:F1} | {gbs / triad2:P0} | {Allocated("library kernels", shape)} |");
    double forward = Ms("kernel forward (train) only", shape), backward = Ms("kernel backward only", shape), read = Ms("one read of x", shape);
    double readGbs = (4.0 * n * c) / (read / 1e3) / 1e9;
    table.AppendLine(CultureInfo.InvariantCulture, $"| … forward (train) only: statistics pass + normalisation pass | {shape} | | {forward:F3} | {forward / kernels:F2}× | | | | | | | |");
    table.AppendLine(CultureInfo.InvariantCulture, $"| … backward only: sums pass + dx pass | {shape} | | {backward:F3} | {backward / kernels:F2}× | | | | | | | |");
    table.AppendLine(CultureInfo.InvariantCulture, $"| … the floor of one pass: one read of x, both cores | {shape} | | {read:F3} | {read / kernels:F2}× | | | | | {readGbs:F1} | {readGbs / triad2:P0} | |");
    foreach (string how in new[] { "buffered", "public API", "public API, caller's array" })
    {
        double layer = Ms($"layer fwd+bwd, {how}", shape);
        string what = how == "public API, caller's array" ? "… public API, x wrapping an array the caller holds (copied)" : $"BN fwd+bwd (train), layer {how}";
        table.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {shape} | | {layer:F3} | {layer / kernels:F2}× | {Pt(pt)} | {Ratio(pt, layer)} | {Pt(pt1)} | {Ratio(pt1, layer)} | | | {Allocated($"layer fwd+bwd, {how}", shape)} |");
    }

    double fresh = Ms("two fresh outputs, allocated and written", shape);
    table.AppendLine(CultureInfo.InvariantCulture, $"| … fresh outputs without a pool: allocate y and dx uninitialised, write each once | {shape} | | {fresh:F3} | {fresh / kernels:F2}× | | | | | | | {Allocated("two fresh outputs, allocated and written", shape)} |");
    double pooled = Ms("two pooled outputs, rented and written", shape);
    table.AppendLine(CultureInfo.InvariantCulture, $"| … the same through the output pool (the public API's outputs): rent y and dx, write each once | {shape} | | {pooled:F3} | {pooled / kernels:F2}× | | | | | | | {Allocated("two pooled outputs, rented and written", shape)} |");
}

var evalDropped = new List<string>();
foreach (string shape in shapes)
{
    double kernels = Ms("library eval forward", shape);
    double pt = Torch("eval_ms", shape), pt1 = Torch("eval_ms_1thread", shape);
    evalDropped.Add(string.Create(CultureInfo.InvariantCulture, $"{shape} {Pt(Torch("eval_ms_dropped", shape))} / {Pt(Torch("eval_ms_dropped_1thread", shape))} ms"));
    table.AppendLine(CultureInfo.InvariantCulture, $"| BN eval forward, kernel | {shape} | – | {kernels:F3} | 1 | {Pt(pt)} | {Ratio(pt, kernels)} | {Pt(pt1)} | {Ratio(pt1, kernels)} | | | {Allocated("library eval forward", shape)} |");
    double collected = Ms("library eval forward + the pool's collections", shape);
    int length = int.Parse(shape.Split('x')[0], CultureInfo.InvariantCulture) * int.Parse(shape.Split('x')[1], CultureInfo.InvariantCulture);
    string rate = BatchNormBenchmarks.PoolCollectionPeriod(length) is int period ? $"one every {period} calls" : "none: not pooled";
    table.AppendLine(CultureInfo.InvariantCulture, $"| … kernel + the output pool's forced gen-1 collections ({rate}) | {shape} | – | {collected:F3} | {collected / kernels:F2}× | {Pt(pt)} | {Ratio(pt, collected)} | {Pt(pt1)} | {Ratio(pt1, collected)} | | | {Allocated("library eval forward + the pool's collections", shape)} |");
    foreach (string how in new[] { "buffered", "public API" })
    {
        double layer = Ms($"layer eval forward, {how}", shape);
        table.AppendLine(CultureInfo.InvariantCulture, $"| BN eval forward, layer {how} | {shape} | – | {layer:F3} | {layer / kernels:F2}× | {Pt(pt)} | {Ratio(pt, layer)} | {Pt(pt1)} | {Ratio(pt1, layer)} | | | {Allocated($"layer eval forward, {how}", shape)} |");
    }
}

table.AppendLine();
table.AppendLine(CultureInfo.InvariantCulture, $"PyTorch's eval calls above hold each result until the next call returns, as BenchmarkDotNet holds ours; its training pass sets x's gradient (the dx) to None at the start of each call, so the last dx is freed before the next is made, where ours is held; its eval with each result dropped at once (2 threads / 1 thread): {string.Join("; ", evalDropped)}.");
table.AppendLine();
table.AppendLine(CultureInfo.InvariantCulture, $"MLP 784-100-100-100-10, sigmoid, batch 60, softmax cross-entropy, SGD; {MlpStepBenchmark.Flops / 1e6:F1} MFLOP per step (the three products per layer, ∂loss/∂pixels skipped); ours with products of 2^20 multiply-adds and more split over all cores (the first layer's; the middle layers' 600,000 run on the caller's core), a Linear backward with fewer than 128 rows running xᵀ·dy on the caller's core beside dy·Wᵀ on another when each has 2^20 (\"products on one thread\": the same step with every product on the caller's thread); \"public API\" is `net.Backward(dy)`, which also returns ∂loss/∂pixels as a new 188 KB matrix, \"parameters only\" is `net.BackwardParameters(dy)`, what PyTorch's `loss.backward()` computes.");
table.AppendLine();
// PyTorch's step three ways: torch and OpenBLAS both on 2 threads, both on 1, and torch on 1 with OpenBLAS's products on
// 2 (what "1 thread" meant before OpenBLAS's pool was set explicitly, and often its fastest here); the ratio uses the fastest.
table.AppendLine("| MLP train step | ours ms | PyTorch ms (2 threads) | PyTorch ms (1 thread) | PyTorch ms (torch 1 thread, OpenBLAS 2) | fastest PyTorch ÷ ours | GFLOP/s | % of 1-core FMA peak | % of all-core FMA peak | allocated per step |");
table.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
foreach (bool bn in new[] { true, false })
{
    string key = bn ? "bn" : "plain";
    double pt = Torch("mlp_step_ms", key);
    double pt1 = Torch("mlp_step_ms_1thread", key);
    double ptMixed = !referenceBlas && torch.RootElement.TryGetProperty("mlp_step_ms_mixed", out var mixed) ? mixed.GetProperty(key).GetDouble() : double.NaN;
    double fastest = new[] { pt, pt1, ptMixed }.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min();
    foreach (string how in new[] { "trainer path", "trainer path, products on one thread", "public API, parameters only", "public API", "public API, products on one thread" })
    {
        double ours = Ms($"MLP train step, {how}", batchNorm: bn);
        double gflops = MlpStepBenchmark.Flops / (ours / 1e3) / 1e9;
        table.AppendLine(CultureInfo.InvariantCulture, $"| {(bn ? "with BN" : "without BN")}, {how} | {ours:F3} | {Pt(pt)} | {Pt(pt1)} | {Pt(ptMixed)} | {Ratio(fastest, ours)} | {gflops:F1} | {gflops / peak1:P0} | {gflops / peakAll:P0} | {Allocated($"MLP train step, {how}", batchNorm: bn)} |");
    }
}

// The whole Figure 1 computation, as the Figure 1 command runs it (learning-rate protocol, both 50,000-step runs in
// parallel, every test-set evaluation), timed wall-clock in this run; its numbers are compared with the stored file.
if (figure1)
{
    Console.WriteLine("Running the full Figure 1 computation (about a minute on a quiet 2-core machine) …");
    var (mnistTrain, mnistTest) = NotebookData.LoadMnistFull();
    var figureClock = Stopwatch.StartNew();
    var figure = Figure1Experiment.Run(mnistTrain, mnistTest, new Figure1Options());
    double figureSeconds = figureClock.Elapsed.TotalSeconds;
    var stored = NotebookData.LoadFigure1Full();
    bool sameAsStored = figure.Curves.Zip(stored.Curves).All(p => p.First.TestAccuracy.SequenceEqual(p.Second.TestAccuracy) && p.First.P50.SequenceEqual(p.Second.P50));
    table.AppendLine();
    table.AppendLine("| Figure 1, full scale | wall-clock s | per network (s) | same numbers as notebooks/data/figure1-full.json |");
    table.AppendLine("|---|---|---|---|");
    table.AppendLine(CultureInfo.InvariantCulture, $"| learning-rate protocol + 2 × 50,000 steps (one network per core) + {figure.WithBatchNorm.Steps.Length} test-set evaluations each | {figureSeconds:F1} | {figure.WithoutBatchNorm.Seconds:F1} without BN, {figure.WithBatchNorm.Seconds:F1} with BN | {(sameAsStored ? "yes, bit for bit" : "NO — rerun the Figure 1 command")} |");
}

table.AppendLine();
table.AppendLine(CultureInfo.InvariantCulture, $"Load average (1, 5, 15 min) before the run: {loadBefore}; after: {LoadAverage()}; the run took {clock.Elapsed.TotalMinutes:F0} min, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC at the end.");
Console.WriteLine();
Console.WriteLine(table);
Directory.CreateDirectory("BenchmarkDotNet.Artifacts");
File.WriteAllText(Path.Combine("BenchmarkDotNet.Artifacts", "comparison.md"), table.ToString());
return 0;
