namespace BatchNormNotebooks.Handouts;

/// <summary>What must exist before a notebook can run: npm assets, the kernel tool, the notebook library.</summary>
public static class Prerequisites
{
    /// <summary>The dll every notebook's setup cell loads, relative to the repository root.</summary>
    public const string InteractiveDll = "lib/BatchNormNotebooks.Interactive/bin/Release/net10.0/BatchNormNotebooks.Interactive.dll";

    /// <summary>Fetches the npm assets if they are missing or stale (<see cref="NpmAssets.Ensure"/>), runs
    /// <c>dotnet tool restore</c>, and builds the notebook library in Release.</summary>
    public static void Ensure(string repoRoot)
    {
        NpmAssets.Ensure(repoRoot);
        Run(repoRoot, "dotnet", "tool", "restore");
        Run(repoRoot, "dotnet", "build", "lib/BatchNormNotebooks.Interactive", "-c", "Release", "--nologo", "-v", "quiet");
    }

    /// <summary>Runs <c>dotnet tool restore</c> (the pinned kernel), all the grader needs: its kit brings the library.</summary>
    public static void EnsureKernelTool(string repoRoot) => Run(repoRoot, "dotnet", "tool", "restore");

    private static void Run(string workingDirectory, string file, params string[] args)
    {
        Console.WriteLine($"» {file} {string.Join(' ', args)}");
        ExternalProcess.RunOrThrow(workingDirectory, file, args);
    }
}
