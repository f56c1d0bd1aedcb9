namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>Every notebook runs top to bottom in the real kernel with no error output.</summary>
/// <remarks>This is the test that catches the FSharp.Core trap: without <c>FSharpCoreFix</c> every chart cell fails here.</remarks>
[Collection(nameof(HandoutsCollection))]
public sealed class NotebookRunTests(HandoutsFixture handouts)
{
    public static TheoryData<string> Notebooks() => [.. Builder.Notebooks];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Runs_in_the_real_kernel_without_errors(string notebook)
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        var cells = handouts.Cells.Where(c => c.Notebook == notebook).ToList();
        Assert.NotEmpty(cells);
        Assert.All(cells, c => Assert.True(c.Ok, $"{notebook}:{c.Cell} failed"));
        string name = Path.GetFileNameWithoutExtension(notebook);
        Assert.True(File.Exists(Path.Combine(handouts.OutDir, "lecturer", name + ".html")), $"lecturer/{name}.html missing");
        Assert.True(File.Exists(Path.Combine(handouts.OutDir, "lecturer", name + ".ipynb")), $"lecturer/{name}.ipynb missing");
    }

    [Fact]
    public void Index_links_every_handout()
    {
        Assert.True(handouts.ExitCode == 0, handouts.Output);
        // The lecturer's index links the lecturer's handouts and the students' kit beside them; the kit's own index
        // links only the kit; the top index links both folders.
        string index = File.ReadAllText(Path.Combine(handouts.OutDir, "lecturer", "index.html"));
        Assert.All(Builder.Notebooks, nb => Assert.Contains($"href=\"{Path.GetFileNameWithoutExtension(nb)}.html\"", index, StringComparison.Ordinal));
        Assert.All(Builder.Notebooks, nb => Assert.Contains($"href=\"../students/{Path.GetFileNameWithoutExtension(nb)}.html\"", index, StringComparison.Ordinal));
        Assert.All(Builder.Notebooks, nb => Assert.Contains($"href=\"../students/notebooks/{Path.GetFileNameWithoutExtension(nb)}.dib\"", index, StringComparison.Ordinal));
        Assert.Contains("href=\"../students.zip\"", index, StringComparison.Ordinal);
        string kitIndex = File.ReadAllText(Path.Combine(handouts.OutDir, "students", "index.html"));
        Assert.All(Builder.Notebooks, nb => Assert.Contains($"href=\"notebooks/{Path.GetFileNameWithoutExtension(nb)}.dib\"", kitIndex, StringComparison.Ordinal));
        Assert.DoesNotContain("../", kitIndex, StringComparison.Ordinal);
        string top = File.ReadAllText(Path.Combine(handouts.OutDir, "index.html"));
        Assert.Contains("href=\"lecturer/index.html\"", top, StringComparison.Ordinal);
        Assert.Contains("href=\"students/index.html\"", top, StringComparison.Ordinal);
    }

    [Fact]
    public void Executed_ipynb_has_outputs_and_kernel_metadata()
    {
        Assert.True(handouts.ExitCode == 0, handouts.Output);
        string name = Path.GetFileNameWithoutExtension(Builder.Notebooks[0]);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(handouts.OutDir, "lecturer", name + ".ipynb")));
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("nbformat").GetInt32());
        Assert.Equal(".net-csharp", root.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
        Assert.Contains(root.GetProperty("cells").EnumerateArray(), c => c.GetProperty("cell_type").GetString() == "code" && c.GetProperty("outputs").GetArrayLength() > 0);
    }
}
