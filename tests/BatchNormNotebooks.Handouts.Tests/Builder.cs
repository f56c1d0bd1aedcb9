namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>Runs the handout builder (its dll sits next to the tests) as a separate process.</summary>
public static class Builder
{
    /// <summary>The repository root, found from the test's output folder.</summary>
    public static string RepoRoot { get; } = BatchNormNotebooks.RepoRoot.Find();

    /// <summary>Every notebook in notebooks/, by file name, in build order.</summary>
    public static IReadOnlyList<string> Notebooks { get; } =
        Directory.EnumerateFiles(Path.Combine(RepoRoot, "notebooks"))
            .Where(NotebookFile.IsNotebook)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Runs the builder with <paramref name="args"/>; returns exit code and the combined output.</summary>
    public static (int ExitCode, string Output) Run(params string[] args) => RunProgram("BatchNormNotebooks.Handouts.dll", args);

    /// <summary>Runs the grader with <paramref name="args"/>; returns exit code and the combined output.</summary>
    public static (int ExitCode, string Output) Grade(params string[] args) => RunProgram("BatchNormNotebooks.Grade.dll", args);

    private static (int ExitCode, string Output) RunProgram(string program, string[] args)
    {
        var result = ExternalProcess.Run(RepoRoot, "dotnet", [Path.Combine(AppContext.BaseDirectory, program), .. args]);
        return (result.ExitCode, result.Output + result.Error);
    }
}
