using System.Diagnostics;
using Microsoft.DotNet.Interactive.Documents;

namespace BatchNormNotebooks.Handouts;

/// <summary>Runs one notebook, cell by cell, in a fresh kernel, printing progress.</summary>
public static class NotebookRunner
{
    /// <summary>
    /// Runs every code cell of <paramref name="path"/> in order; the kernel's working directory is the notebook's folder.
    /// </summary>
    /// <param name="path">The notebook (.dib or .ipynb).</param>
    /// <param name="repoRoot">The repository root (for the pinned kernel tool).</param>
    /// <param name="cellTimeout">Longest a single cell may run.</param>
    /// <param name="variant">Which form to run (.dib only): see <see cref="Variant"/>.</param>
    /// <exception cref="CellFailedException">A cell produced an error or timed out.</exception>
    public static async Task<(ExecutedNotebook Notebook, IReadOnlyList<CellTiming> Timings)> RunAsync(string path, string repoRoot, TimeSpan cellTimeout, Variant variant = Variant.Lecturer)
    {
        var run = await RunDocumentAsync(NotebookFile.Read(path, variant), path, repoRoot, new RunSettings(cellTimeout, variant));
        if (run.FirstFailure is { } failed)
        {
            string error = string.Join("\n", failed.Outputs.Where(o => o.Kind == OutputKind.Error).Select(o => o.Value));
            throw new CellFailedException(Path.GetFileName(path), failed.Number, error, run.Timings);
        }

        return (run.Notebook, run.Timings);
    }

    /// <summary>
    /// Runs the code cells of <paramref name="document"/> in order in a fresh kernel whose working directory is the
    /// folder of <paramref name="path"/>. Stops at the first failing cell unless <see cref="RunSettings.KeepGoing"/>;
    /// always stops at a cell that times out (the kernel is then busy, and is ended when this returns).
    /// </summary>
    /// <param name="document">The cells to run.</param>
    /// <param name="path">The notebook file the cells came from (its folder is the kernel's working directory).</param>
    /// <param name="repoRoot">The repository root (for the pinned kernel tool).</param>
    /// <param name="settings">Time limits, variant, whether to go on after a failure, where progress goes.</param>
    public static async Task<NotebookRun> RunDocumentAsync(InteractiveDocument document, string path, string repoRoot, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(settings);
        var log = settings.Progress ?? Console.Out;
        string file = Path.GetFileName(path);
        var elements = document.Elements.ToList();
        int codeCells = elements.Count(e => e.KernelName != "markdown");
        var cells = new List<ExecutedCell>();
        var timings = new List<CellTiming>();
        ExecutedCell? firstFailure = null;
        bool timedOut = false;

        var started = Stopwatch.StartNew();
        await using (var kernel = await KernelSession.StartAsync(Path.GetDirectoryName(Path.GetFullPath(path))!, repoRoot))
        {
            log.WriteLine($"  kernel started in {started.Elapsed.TotalSeconds:0.0} s");

            int code = 0;
            for (int i = 0; i < elements.Count && !timedOut && (firstFailure is null || settings.KeepGoing); i++)
            {
                var element = elements[i];
                string language = element.KernelName ?? "csharp";
                if (language == "markdown")
                {
                    cells.Add(new ExecutedCell(i + 1, language, element.Contents, [], 0));
                    continue;
                }

                code++;
                log.Write($"  cell {i + 1,2} ({code}/{codeCells}) {Summary(element)} … ");
                var timeout = settings.CellTimeout;
                if (settings.NotebookTimeout is { } limit)
                {
                    timeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, Math.Min(timeout.Ticks, (limit - started.Elapsed).Ticks)));
                }

                var watch = Stopwatch.StartNew();
                IReadOnlyList<CellOutput> outputs;
                try
                {
                    outputs = await kernel.RunAsync(element.Contents, language, timeout);
                }
                catch (TimeoutException e)
                {
                    outputs = [new CellOutput(OutputKind.Error, "text/plain", e.Message)];
                    timedOut = true;
                }

                var cell = new ExecutedCell(i + 1, language, element.Contents, outputs, watch.Elapsed.TotalSeconds);
                cells.Add(cell);
                timings.Add(new CellTiming(file, settings.Variant, cell.Number, Math.Round(cell.Seconds, 3), !cell.Failed));
                log.WriteLine($"{(timedOut ? "TIMED OUT" : cell.Failed ? "FAILED" : "ok")} {cell.Seconds:0.0} s");
                if (cell.Failed)
                {
                    firstFailure ??= cell;
                }
            }
        }

        var notebook = new ExecutedNotebook(Path.GetFileNameWithoutExtension(path), Title(elements, file), cells, settings.Variant);
        return new NotebookRun(notebook, timings, firstFailure, timedOut);
    }

    /// <summary>The first non-empty line of the cell, shortened, for the progress line.</summary>
    private static string Summary(InteractiveDocumentElement element)
    {
        string line = element.Contents.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return line.Length > 50 ? line[..47] + "..." : line;
    }

    private static string Title(List<InteractiveDocumentElement> elements, string fallback)
    {
        foreach (var e in elements.Where(e => e.KernelName == "markdown"))
        {
            var heading = e.Contents.Split('\n').FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal));
            if (heading is not null)
            {
                return heading[2..].Trim();
            }
        }

        return fallback;
    }
}

/// <summary>How <see cref="NotebookRunner.RunDocumentAsync"/> runs a notebook.</summary>
/// <param name="CellTimeout">Longest a single cell may run.</param>
/// <param name="Variant">The form being run (recorded in the result).</param>
/// <param name="KeepGoing">Run the later cells after a cell fails (the grader); the builder stops.</param>
/// <param name="NotebookTimeout">Longest the whole notebook may run, kernel start included; null for no limit.</param>
/// <param name="Progress">Where the per-cell progress lines go (default: the console).</param>
public sealed record RunSettings(TimeSpan CellTimeout, Variant Variant, bool KeepGoing = false, TimeSpan? NotebookTimeout = null, TextWriter? Progress = null);

/// <summary>What running a notebook gave.</summary>
/// <param name="Notebook">The cells that ran, with their outputs (cells after a stop are absent).</param>
/// <param name="Timings">One row per code cell that ran.</param>
/// <param name="FirstFailure">The first cell with an error output, if any.</param>
/// <param name="TimedOut">True when a cell hit the cell or notebook time limit (the kernel was then ended).</param>
public sealed record NotebookRun(ExecutedNotebook Notebook, IReadOnlyList<CellTiming> Timings, ExecutedCell? FirstFailure, bool TimedOut);
