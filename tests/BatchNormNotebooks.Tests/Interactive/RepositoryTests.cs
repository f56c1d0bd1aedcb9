namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>RepoRoot walks up the folders to what it looks for; ExternalProcess returns a program's exit code and both
/// outputs, and RunOrThrow names a failing command.</summary>
public sealed class RepositoryTests
{
    [Fact]
    public void FindAbove_returns_the_nearest_folder_above_start_that_holds_the_path()
    {
        string root = Path.Combine(Path.GetTempPath(), $"bnn-root-{Guid.NewGuid():N}");
        string deep = Path.Combine(root, "a", "b", "c");
        Directory.CreateDirectory(deep);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "notebooks", "data"));
            Directory.CreateDirectory(Path.Combine(root, "a", "notebooks", "data"));
            string marker = Path.Combine("notebooks", "data");
            Assert.Equal(Path.Combine(root, "a", "notebooks", "data"), RepoRoot.FindAbove(marker, deep));
            Directory.Delete(Path.Combine(root, "a", "notebooks"), recursive: true);
            Assert.Equal(Path.Combine(root, "notebooks", "data"), RepoRoot.FindAbove(marker, deep));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Find_is_the_folder_of_the_solution_and_a_missing_path_is_named()
    {
        Assert.True(File.Exists(Path.Combine(RepoRoot.Find(), "BatchNormNotebooks.sln")));
        string missing = $"no-such-file-{Guid.NewGuid():N}.txt";
        var e = Assert.Throws<DirectoryNotFoundException>(() => RepoRoot.FindAbove(missing, Path.GetTempPath()));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_returns_the_exit_code_and_both_outputs_and_RunOrThrow_names_the_failing_command()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var result = ExternalProcess.Run(Path.GetTempPath(), "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(new ProcessResult(3, "out\n", "err\n"), result);
        var e = Assert.Throws<InvalidOperationException>(() => ExternalProcess.RunOrThrow(Path.GetTempPath(), "sh", "-c", "echo why >&2; exit 4"));
        Assert.Contains("'sh -c echo why >&2; exit 4' exited with 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("why", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, ExternalProcess.RunOrThrow(Path.GetTempPath(), "sh", "-c", "true").ExitCode);
    }
}
