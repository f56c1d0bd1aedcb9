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

    /// <summary>Parses <paramref name="path"/> (.dib or .ipynb).</summary>
    public static InteractiveDocument Read(string path)
    {
        string text = File.ReadAllText(path);
        return Path.GetExtension(path) == ".ipynb"
            ? Notebook.Parse(text, Kernels())
            : CodeSubmission.Parse(text, Kernels());
    }
}
