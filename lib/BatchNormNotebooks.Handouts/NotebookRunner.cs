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
        string file = Path.GetFileName(path);
        var document = NotebookFile.Read(path, variant);
        var elements = document.Elements.ToList();
        int codeCells = elements.Count(e => e.KernelName != "markdown");
        var cells = new List<ExecutedCell>();
        var timings = new List<CellTiming>();

        var started = Stopwatch.StartNew();
        await using var kernel = await KernelSession.StartAsync(Path.GetDirectoryName(Path.GetFullPath(path))!, repoRoot);
        Console.WriteLine($"  kernel started in {started.Elapsed.TotalSeconds:0.0} s");

        int code = 0;
        for (int i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            string language = element.KernelName ?? "csharp";
            if (language == "markdown")
            {
                cells.Add(new ExecutedCell(i + 1, language, element.Contents, [], 0));
                continue;
            }

            code++;
            Console.Write($"  cell {i + 1,2} ({code}/{codeCells}) {Summary(element)} … ");
            var watch = Stopwatch.StartNew();
            IReadOnlyList<CellOutput> outputs;
            try
            {
                outputs = await kernel.RunAsync(element.Contents, language, cellTimeout);
            }
            catch (TimeoutException e)
            {
                outputs = [new CellOutput(OutputKind.Error, "text/plain", e.Message)];
            }

            var cell = new ExecutedCell(i + 1, language, element.Contents, outputs, watch.Elapsed.TotalSeconds);
            cells.Add(cell);
            timings.Add(new CellTiming(file, variant, cell.Number, Math.Round(cell.Seconds, 3), !cell.Failed));
            Console.WriteLine($"{(cell.Failed ? "FAILED" : "ok")} {cell.Seconds:0.0} s");
            if (cell.Failed)
            {
                string error = string.Join("\n", outputs.Where(o => o.Kind == OutputKind.Error).Select(o => o.Value));
                throw new CellFailedException(file, cell.Number, error, timings);
            }
        }

        return (new ExecutedNotebook(Path.GetFileNameWithoutExtension(path), Title(elements, file), cells, variant), timings);
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
