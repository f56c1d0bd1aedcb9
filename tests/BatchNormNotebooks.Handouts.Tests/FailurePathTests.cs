namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>A failing cell stops the builder with notebook:cell in the message and leaves earlier handouts alone.</summary>
public sealed class FailurePathTests
{
    [Fact]
    public void Failing_cell_exits_nonzero_names_notebook_and_cell_and_keeps_previous_handouts()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"bnn-handouts-failure-{Environment.ProcessId}");
        Directory.CreateDirectory(outDir);
        string previous = Path.Combine(outDir, "index.html");
        File.WriteAllText(previous, "previous handouts");
        try
        {
            string fixtures = Path.Combine(Builder.RepoRoot, "tests/BatchNormNotebooks.Handouts.Tests/fixtures/failing");
            var (exitCode, output) = Builder.Run("--notebooks", fixtures, "--out", outDir, "--timeout", "300");

            Assert.NotEqual(0, exitCode);
            Assert.Contains("01-fails-on-purpose.dib:3", output, StringComparison.Ordinal);
            Assert.Contains("deliberate failure for the builder test", output, StringComparison.Ordinal);
            Assert.Equal("previous handouts", File.ReadAllText(previous));
            Assert.Equal(["index.html"], Directory.GetFiles(outDir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
