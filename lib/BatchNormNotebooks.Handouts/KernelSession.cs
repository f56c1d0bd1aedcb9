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
        // Under heavy load the kernel's first handshake occasionally fails ("Sequence contains no matching element"
        // in GetCachedKernelInfoForRemoteRoot); a fresh process then starts fine, so try up to three times.
        const int Attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            var connector = CreateConnector(workingDirectory, repoRoot);
            try
            {
                var root = await connector.CreateRootProxyKernelAsync();
                root.KernelInfo.SupportedKernelCommands.Add(new KernelCommandInfo(nameof(SubmitCode)));
                return new KernelSession(connector, root);
            }
            catch (Exception e) when (attempt < Attempts && e is InvalidOperationException or IOException or TimeoutException)
            {
                Console.Error.WriteLine($"  kernel start failed ({e.GetType().Name}: {e.Message}); retrying ({attempt + 1}/{Attempts})");
                Kill(connector.ProcessId);
                try
                {
                    connector.Dispose();
                }
                catch (InvalidOperationException)
                {
                    // already torn down
                }
            }
        }
    }

    private static StdIoKernelConnector CreateConnector(string workingDirectory, string repoRoot)
    {
        string[] command =
        [
            "dotnet", "tool", "run", "dotnet-interactive", "--",
            "stdio", "--default-kernel", "csharp", "--working-dir", workingDirectory,
        ];
        return new StdIoKernelConnector(command, "root", KernelHost.CreateHostUri("bnn-handouts"), new DirectoryInfo(repoRoot));
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

        Kill(pid);
        return ValueTask.CompletedTask;
    }

    private static void Kill(int? pid)
    {
        if (pid is not int id)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(id);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
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
