using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace BatchNormNotebooks.Handouts;

/// <summary>Reads .dib and .ipynb notebooks with Microsoft.DotNet.Interactive.Documents.</summary>
public static class NotebookFile
{
    /// <summary>The kernels our notebooks use; the Documents API needs them to parse and write cells.</summary>
    public static KernelInfoCollection Kernels()
    {
        var kernels = new KernelInfoCollection
        {
            new KernelInfo("csharp", "C#", ["c#", "C#"]),
            new KernelInfo("markdown", "Markdown", ["md"]),
        };
        kernels.DefaultKernelName = "csharp";
        return kernels;
    }

    /// <summary>True for the file kinds the builder runs.</summary>
    public static bool IsNotebook(string path) =>
        Path.GetExtension(path) is ".dib" or ".ipynb";

    /// <summary>
    /// Parses <paramref name="path"/> (.dib or .ipynb); a .dib is first turned into <paramref name="variant"/>
    /// with its exercise solutions (<see cref="NotebookVariants"/>).
    /// </summary>
    public static InteractiveDocument Read(string path, Variant variant = Variant.Lecturer)
    {
        string text = File.ReadAllText(path);
        return Path.GetExtension(path) == ".ipynb"
            ? Notebook.Parse(text, Kernels())
            : CodeSubmission.Parse(VariantText(path, variant), Kernels());
    }

    /// <summary>The .dib text of <paramref name="path"/> in the form <paramref name="variant"/>.</summary>
    public static string VariantText(string path, Variant variant) =>
        NotebookVariants.Apply(File.ReadAllText(path), ExerciseSolutions.Load(path), variant, path);
}
