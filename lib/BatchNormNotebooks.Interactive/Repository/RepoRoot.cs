namespace BatchNormNotebooks;

/// <summary>
/// Finds files of the repository (or of the students' kit, which has the same layout without the solution file) by
/// walking up the folders, so the notebooks, the builder, the Figure 1 program and the tests run from any folder
/// inside it. The one place that walks up; <see cref="NpmAssets"/> and <see cref="NotebookData"/> use it.
/// </summary>
public static class RepoRoot
{
    /// <summary>The file that marks the repository root.</summary>
    public const string Marker = "BatchNormNotebooks.sln";

    /// <summary>The folder holding <see cref="Marker"/>, above the current directory, else above this library's or
    /// the program's folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder above any of them.</exception>
    public static string Find() => Path.GetDirectoryName(FindAbove(Marker))!;

    /// <summary>
    /// The full path of <paramref name="relativePath"/> (a file or folder, e.g. <c>lib/npm/package-lock.json</c>)
    /// in the first folder that holds it, walking up from <paramref name="start"/>, then from the current directory,
    /// this library's folder and the program's folder, in that order.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No folder above any starting point holds it; the message names
    /// the path and the current directory.</exception>
    public static string FindAbove(string relativePath, string? start = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        string?[] origins = [start, Directory.GetCurrentDirectory(), Path.GetDirectoryName(typeof(RepoRoot).Assembly.Location), AppContext.BaseDirectory];
        foreach (string? origin in origins)
        {
            for (var dir = string.IsNullOrEmpty(origin) ? null : new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate) || Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"{relativePath} not found above '{Directory.GetCurrentDirectory()}' (nor above '{start ?? AppContext.BaseDirectory}'): run this from inside the BatchNormNotebooks repository.");
    }
}
