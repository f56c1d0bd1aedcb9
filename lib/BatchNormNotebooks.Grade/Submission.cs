using System.IO.Compression;

namespace BatchNormNotebooks.Grade;

/// <summary>
/// One student's hand-in: a folder or a zip named after the student, holding .dib notebooks anywhere inside.
/// Reading it never throws: a corrupt zip or an unreadable file becomes a <see cref="Problem"/> the grade reports.
/// </summary>
/// <param name="Student">The folder's name, or the zip's name without ".zip".</param>
/// <param name="Source">The folder or zip handed in.</param>
/// <param name="Files">Notebook file name (e.g. "04-epsilon.dib") → the text handed in, or why it cannot be graded.</param>
/// <param name="Problem">Why nothing of the submission can be graded (a corrupt zip), else null.</param>
public sealed record Submission(string Student, string Source, IReadOnlyDictionary<string, HandedIn> Files, string? Problem)
{
    /// <summary>The submissions in <paramref name="folder"/>, by student name; zips are extracted below <paramref name="scratch"/>.</summary>
    /// <param name="folder">One folder or zip per student.</param>
    /// <param name="notebookNames">The kit's notebook file names ("04-epsilon.dib"), matched by name.</param>
    /// <param name="scratch">A private folder for extracted zips.</param>
    /// <param name="log">Where notes on skipped entries go.</param>
    public static IReadOnlyList<Submission> ReadAll(string folder, IReadOnlyCollection<string> notebookNames, string scratch, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var submissions = new List<Submission>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith('.') || name is "grades.csv" or "grades.html")
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                submissions.Add(FromFolder(name, entry, entry, notebookNames));
            }
            else if (string.Equals(Path.GetExtension(entry), ".zip", StringComparison.OrdinalIgnoreCase))
            {
                string student = Path.GetFileNameWithoutExtension(entry);
                string target = Path.Combine(scratch, $"{submissions.Count:D4}-{student}");
                try
                {
                    ZipFile.ExtractToDirectory(entry, target);
                    submissions.Add(FromFolder(student, entry, target, notebookNames));
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
                {
                    submissions.Add(new Submission(student, entry, new Dictionary<string, HandedIn>(), $"corrupt zip ({e.GetType().Name}: {e.Message})"));
                }
            }
            else
            {
                log.WriteLine($"  skipped {name}: not a folder or a .zip");
            }
        }

        return submissions;
    }

    private static Submission FromFolder(string student, string source, string folder, IReadOnlyCollection<string> notebookNames)
    {
        var files = new Dictionary<string, HandedIn>(StringComparer.Ordinal);
        var all = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (string notebook in notebookNames)
        {
            string stem = Path.GetFileNameWithoutExtension(notebook);
            // The shallowest file of that name, if the student zipped a whole kit or a copy of a copy.
            string? dib = all.Where(f => string.Equals(Path.GetFileName(f), notebook, StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => f.Count(c => c == Path.DirectorySeparatorChar)).FirstOrDefault();
            if (dib is not null)
            {
                try
                {
                    files[notebook] = new HandedIn(File.ReadAllText(dib), null);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    files[notebook] = new HandedIn(null, $"unreadable ({e.Message})");
                }

                continue;
            }

            string? other = all.FirstOrDefault(f => string.Equals(Path.GetFileNameWithoutExtension(f), stem, StringComparison.OrdinalIgnoreCase));
            if (other is not null)
            {
                files[notebook] = new HandedIn(null, $"not a .dib: handed in as {Path.GetFileName(other)}");
            }
        }

        return new Submission(student, source, files, null);
    }
}

/// <summary>One handed-in notebook: its text, or why it cannot be graded.</summary>
/// <param name="Text">The .dib text, or null.</param>
/// <param name="Problem">Why it cannot be graded (not a .dib, unreadable), or null.</param>
public sealed record HandedIn(string? Text, string? Problem);
