namespace BatchNormNotebooks.Tests;

/// <summary>NpmAssets: finds lib/npm, runs npm ci when node_modules does not match the lockfile, names what is missing.</summary>
public sealed class NpmAssetsTests
{
    [Fact]
    public void Ensure_runs_npm_ci_in_a_fresh_folder_and_stamps_the_lockfile()
    {
        string root = Path.Combine(Path.GetTempPath(), $"bnn-npm-test-{Guid.NewGuid():N}");
        string npm = Path.Combine(root, "lib", "npm");
        Directory.CreateDirectory(npm);
        try
        {
            File.WriteAllText(Path.Combine(npm, "package.json"), """{ "name": "empty", "private": true }""");
            File.WriteAllText(Path.Combine(npm, "package-lock.json"),
                """{ "name": "empty", "lockfileVersion": 3, "requires": true, "packages": { "": { "name": "empty" } } }""");
            string start = Path.Combine(root, "notebooks");
            Directory.CreateDirectory(start);

            Assert.Equal(npm, NpmAssets.Ensure(start));

            string stamp = Path.Combine(npm, "node_modules", ".bnn-lockfile.sha256");
            Assert.True(File.Exists(stamp), "no stamp after npm ci");
            Assert.Equal(64, File.ReadAllText(stamp).Trim().Length);
            var missing = Assert.Throws<FileNotFoundException>(() => NpmAssets.Path("katex", "dist/katex.min.js", start));
            Assert.Contains("'katex'", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Folder_falls_back_to_the_repository_when_start_is_outside_it()
    {
        // The current directory and the test's folder are inside the repository, so only a missing start can fail:
        // here the repository's own lib/npm is found from a start outside it (the fallbacks), never a wrong folder.
        string folder = NpmAssets.Folder(Path.GetTempPath());
        Assert.True(File.Exists(Path.Combine(folder, "package-lock.json")));
        Assert.EndsWith(Path.Combine("lib", "npm"), folder, StringComparison.Ordinal);
    }
}
