using System.Text.Json;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// Builds every handout ONCE, into a temporary folder, by running the real builder: each notebook in its own
/// real dotnet-interactive kernel. Shared by all tests in <see cref="HandoutsCollection"/>.
/// </summary>
public sealed class HandoutsFixture : IDisposable
{
    public HandoutsFixture()
    {
        // BNN_HANDOUTS_DIR=handouts reuses an existing build (quick iteration on the browser tests).
        string? existing = Environment.GetEnvironmentVariable("BNN_HANDOUTS_DIR");
        if (existing is not null)
        {
            OutDir = Path.GetFullPath(existing, Builder.RepoRoot);
            (ExitCode, Output, reused) = (0, $"reused {OutDir}", true);
        }
        else
        {
            OutDir = Path.Combine(Path.GetTempPath(), $"bnn-handouts-test-{Environment.ProcessId}");
            (ExitCode, Output) = Builder.Run("--out", OutDir);
        }

        string report = Path.Combine(OutDir, "report.json");
        Cells = File.Exists(report)
            ? JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("cells").EnumerateArray()
                .Select(c => (c.GetProperty("notebook").GetString()!, c.GetProperty("cell").GetInt32(), c.GetProperty("seconds").GetDouble(), c.GetProperty("ok").GetBoolean()))
                .ToList()
            : [];
    }

    private readonly bool reused;

    /// <summary>True when BNN_HANDOUTS_DIR pointed the tests at an existing build.</summary>
    public bool Reused => reused;

    /// <summary>Where the handouts were written.</summary>
    public string OutDir { get; }

    /// <summary>The builder's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Everything the builder printed.</summary>
    public string Output { get; }

    /// <summary>report.json's rows: (notebook, cell, seconds, ok).</summary>
    public IReadOnlyList<(string Notebook, int Cell, double Seconds, bool Ok)> Cells { get; }

    public void Dispose()
    {
        // The handouts are kept for inspection when the environment asks for it.
        if (!reused && Environment.GetEnvironmentVariable("BNN_KEEP_HANDOUTS") is null && Directory.Exists(OutDir))
        {
            Directory.Delete(OutDir, recursive: true);
        }
    }
}

[CollectionDefinition(nameof(HandoutsCollection))]
public sealed class HandoutsCollection : ICollectionFixture<HandoutsFixture>;
