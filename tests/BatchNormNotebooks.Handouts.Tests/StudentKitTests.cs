using System.IO.Compression;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// The students' kit of the full build (handouts/students.zip) works where it lands: unzipped into an empty folder
/// outside the repository, every students' notebook runs top to bottom in the real kernel, its exercises print "not
/// answered", the library and its data load from inside the kit, and nothing of the lecturer's is in it.
/// </summary>
[Collection(nameof(HandoutsCollection))]
public sealed class StudentKitTests(HandoutsFixture handouts)
{
    /// <summary>The issue's limit on the zip.</summary>
    private const long MaxZipBytes = 40_000_000;

    [Fact]
    public async Task The_unzipped_kit_runs_every_students_notebook_in_the_real_kernel_outside_the_repository()
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        string zip = Path.Combine(handouts.OutDir, "students.zip");
        Assert.InRange(new FileInfo(zip).Length, 1, MaxZipBytes);

        string temp = Path.Combine(Path.GetTempPath(), $"bnn-kit-test-{Environment.ProcessId}");
        Assert.False(Path.GetFullPath(temp).StartsWith(Builder.RepoRoot, StringComparison.Ordinal), "the temporary folder must be outside the repository");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }

        try
        {
            ZipFile.ExtractToDirectory(zip, temp);
            string kit = Path.Combine(temp, "students");
            string notebooks = Path.Combine(kit, StudentKit.NotebooksFolder);
            Assert.True(File.Exists(Path.Combine(kit, "README.md")));
            Assert.True(File.Exists(Path.Combine(kit, "index.html")));

            // Where the library and its data come from: a probe notebook beside the students' ones.
            string probe = Path.Combine(notebooks, "zz-where.dib");
            File.WriteAllText(probe, """
                #!csharp

                #r "../lib/BatchNormNotebooks.Interactive.dll"

                #!csharp

                Console.WriteLine("library=" + typeof(BatchNormNotebooks.NpmAssets).Assembly.Location);
                Console.WriteLine("interactive=" + typeof(BatchNormNotebooks.Interactive.Exercise).Assembly.Location);
                Console.WriteLine("mnist-data=" + BatchNormNotebooks.NotebookData.MnistFullFolder());
                Console.WriteLine("digits=" + BatchNormNotebooks.NotebookData.MnistDigitsFolder());
                Console.WriteLine("figure1=" + BatchNormNotebooks.NotebookData.Figure1FullPath());
                """);
            var (where, _) = await NotebookRunner.RunAsync(probe, Builder.RepoRoot, TimeSpan.FromSeconds(300), Variant.Students);
            var paths = where.Cells.SelectMany(c => c.Outputs).Where(o => o.Kind == OutputKind.StandardOutput)
                .SelectMany(o => o.Value.Split('\n')).Where(l => l.Contains('=', StringComparison.Ordinal))
                .Select(l => l.Trim().Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal(["digits", "figure1", "interactive", "library", "mnist-data"], paths.Keys.Order());
            Assert.All(paths, p => Assert.True(Path.GetFullPath(p.Value).StartsWith(kit + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{p.Key} loaded from {p.Value}, outside the kit {kit}"));
            File.Delete(probe);

            var failures = new List<string>();
            var names = Directory.EnumerateFiles(notebooks, "*.dib").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
            // Every notebook the kit was built from (all of notebooks/ in the full build; BNN_HANDOUTS_DIR may reuse a partial one).
            var built = StudentKit.ReadExercises(kit).Keys.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(built, names);
            Assert.True(handouts.Reused || built.Count == Builder.Notebooks.Count, $"the kit holds {built.Count} of {Builder.Notebooks.Count} notebooks");
            foreach (string name in names)
            {
                try
                {
                    var (notebook, _) = await NotebookRunner.RunAsync(Path.Combine(notebooks, name), Builder.RepoRoot, TimeSpan.FromSeconds(600), Variant.Students);
                    ExerciseVerdict.Verify(notebook, ExerciseSolutions.None, []);
                    int expected = ExerciseSolutions.Load(Path.Combine(Builder.RepoRoot, "notebooks", name)).Solutions.Count;
                    if (expected > 0 && !notebook.Exercises.Any())
                    {
                        failures.Add($"{name}: no exercise printed \"not answered\"");
                    }
                }
                catch (CellFailedException e)
                {
                    failures.Add(e.Message);
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    [Fact]
    public void Nothing_of_the_lecturers_reaches_the_students_folder()
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        string kit = Path.Combine(handouts.OutDir, "students");
        Assert.Empty(Directory.EnumerateFiles(kit, "*.ipynb", SearchOption.AllDirectories));
        Assert.DoesNotContain(Directory.EnumerateFiles(kit, "*.txt", SearchOption.AllDirectories), f => f.Contains("solutions", StringComparison.Ordinal));
        foreach (string file in Directory.EnumerateFiles(kit, "*.*", SearchOption.AllDirectories).Where(f => Path.GetExtension(f) is ".dib" or ".html" or ".md"))
        {
            string text = File.ReadAllText(file);
            Assert.DoesNotContain(NotebookVariants.SolutionsMark, text, StringComparison.Ordinal);
            Assert.DoesNotContain("<details><summary>Solutions", text, StringComparison.Ordinal);
        }

        foreach (string name in Directory.EnumerateFiles(Path.Combine(kit, StudentKit.NotebooksFolder), "*.dib").Select(Path.GetFileName).OfType<string>())
        {
            string lecturer = Path.Combine(Builder.RepoRoot, "notebooks", name);
            string students = File.ReadAllText(Path.Combine(kit, StudentKit.NotebooksFolder, name));
            var leaks = NotebookVariantsTests.Leaks(File.ReadAllText(lecturer), ExerciseSolutions.Load(lecturer), students).ToList();
            Assert.True(leaks.Count == 0, $"{name}: {string.Join(" | ", leaks)}");
        }
    }
}
