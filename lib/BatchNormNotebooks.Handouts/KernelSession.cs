using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Connection;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// One real dotnet-interactive kernel process, started over stdio exactly as VS Code starts it
/// (<c>dotnet tool run dotnet-interactive stdio</c>, from the repository's tool manifest).
/// </summary>
public sealed class KernelSession : IAsyncDisposable
{
    private readonly StdIoKernelConnector connector;
    private readonly ProxyKernel root;

    private KernelSession(StdIoKernelConnector connector, ProxyKernel root)
    {
        this.connector = connector;
        this.root = root;
    }

    /// <summary>
    /// Starts a kernel whose working directory is <paramref name="workingDirectory"/> (relative <c>#r</c> paths
    /// resolve from there). The process itself starts in <paramref name="repoRoot"/>, where the tool manifest is.
    /// </summary>
    public static async Task<KernelSession> StartAsync(string workingDirectory, string repoRoot)
    {
        string[] command =
        [
            "dotnet", "tool", "run", "dotnet-interactive", "--",
            "stdio", "--default-kernel", "csharp", "--working-dir", workingDirectory,
        ];
        var connector = new StdIoKernelConnector(command, "root", KernelHost.CreateHostUri("bnn-handouts"), new DirectoryInfo(repoRoot));
        var root = await connector.CreateRootProxyKernelAsync();
        root.KernelInfo.SupportedKernelCommands.Add(new KernelCommandInfo(nameof(SubmitCode)));
        return new KernelSession(connector, root);
    }

    /// <summary>Runs one cell and returns its outputs; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<CellOutput>> RunAsync(string code, string kernelName, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        KernelCommandResult result;
        try
        {
            result = await root.SendAsync(new SubmitCode(code, kernelName), cts.Token).WaitAsync(timeout);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            throw new TimeoutException($"no result after {timeout.TotalSeconds:0} s (per-cell timeout; raise it with --timeout)");
        }

        var outputs = new List<CellOutput>();
        var displayIndex = new Dictionary<string, int>();
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case ReturnValueProduced v:
                    Add(outputs, OutputKind.ReturnValue, v.FormattedValues);
                    break;
                case DisplayedValueUpdated v when v.ValueId is not null && displayIndex.TryGetValue(v.ValueId, out int index):
                    // An update (e.g. a progress display) replaces the value it updates, as in the editor.
                    outputs[index] = Choose(OutputKind.Display, v.FormattedValues) ?? outputs[index];
                    break;
                case DisplayEvent v when v is DisplayedValueProduced or DisplayedValueUpdated:
                    if (v.ValueId is not null)
                    {
                        displayIndex[v.ValueId] = outputs.Count;
                    }

                    Add(outputs, OutputKind.Display, v.FormattedValues);
                    break;
                case StandardOutputValueProduced v:
                    Add(outputs, OutputKind.StandardOutput, v.FormattedValues);
                    break;
                case StandardErrorValueProduced v:
                    Add(outputs, OutputKind.StandardError, v.FormattedValues);
                    break;
                case ErrorProduced v:
                    outputs.Add(new CellOutput(OutputKind.Error, PlainTextFormatter.MimeType, v.Message));
                    break;
                case CommandFailed v:
                    outputs.Add(new CellOutput(OutputKind.Error, PlainTextFormatter.MimeType, v.Message));
                    break;
            }
        }

        return outputs;
    }

    /// <summary>Stops the kernel process.</summary>
    public ValueTask DisposeAsync()
    {
        int? pid = connector.ProcessId;
        try
        {
            root.Dispose();
            connector.Dispose();
        }
        catch (InvalidOperationException)
        {
            // The connection may already be torn down; the process is killed below either way.
        }

        if (pid is int id)
        {
            try
            {
                using var process = Process.GetProcessById(id);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        return ValueTask.CompletedTask;
    }

    private static void Add(List<CellOutput> outputs, OutputKind kind, IReadOnlyCollection<FormattedValue> values)
    {
        if (Choose(kind, values) is { } output)
        {
            outputs.Add(output);
        }
    }

    /// <summary>The richest value: HTML, else plain text, else whatever came.</summary>
    private static CellOutput? Choose(OutputKind kind, IReadOnlyCollection<FormattedValue> values)
    {
        var chosen = values.FirstOrDefault(f => f.MimeType == HtmlFormatter.MimeType)
            ?? values.FirstOrDefault(f => f.MimeType == PlainTextFormatter.MimeType)
            ?? values.FirstOrDefault();
        return chosen is null ? null : new CellOutput(kind, chosen.MimeType, chosen.Value);
    }
}
