namespace BatchNormNotebooks.Handouts;

/// <summary>Finds the repository root (the folder holding BatchNormNotebooks.sln), so the builder runs from any folder.</summary>
public static class RepoRoot
{
    private const string Marker = "BatchNormNotebooks.sln";

    /// <summary>The root above the current directory, else above this program's own folder.</summary>
    public static string Find() =>
        Above(Environment.CurrentDirectory) ?? Above(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"No {Marker} above '{Environment.CurrentDirectory}' or '{AppContext.BaseDirectory}'.");

    private static string? Above(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, Marker)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
