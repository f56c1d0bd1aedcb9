using System.Diagnostics;

namespace BatchNormNotebooks;

/// <summary>What a finished <see cref="ExternalProcess"/> left: its exit code and everything it wrote.</summary>
/// <param name="ExitCode">The process's exit code; 0 is success.</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs a program to its end with both output streams captured (read concurrently, so a chatty program cannot fill a
/// pipe and hang). The one place that starts processes: <see cref="NpmAssets"/> (<c>npm ci</c>), the handout
/// builder's prerequisites (<c>dotnet tool restore</c>, <c>dotnet build</c>) and the handout tests (the builder and
/// the grader as separate processes).
/// </summary>
public static class ExternalProcess
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> (passed as separate arguments, no shell
    /// quoting) in <paramref name="workingDirectory"/> and waits for it.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program was not found.</exception>
    public static ProcessResult Run(string workingDirectory, string file, params IReadOnlyList<string> args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var info = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>As <see cref="Run"/>, and throws unless the exit code is 0.</summary>
    /// <exception cref="InvalidOperationException">A non-zero exit code; the message holds the command line, the
    /// code and both outputs.</exception>
    public static ProcessResult RunOrThrow(string workingDirectory, string file, params IReadOnlyList<string> args)
    {
        var result = Run(workingDirectory, file, args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' exited with {result.ExitCode}:\n{result.Output}\n{result.Error}");
        }

        return result;
    }
}
