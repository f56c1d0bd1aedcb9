using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace BatchNormNotebooks.Handouts;

/// <summary>Reads .dib and .ipynb notebooks with Microsoft.DotNet.Interactive.Documents.</summary>
public static class NotebookFile
{
    /// <summary>The kernels our notebooks use; the Documents API needs them to parse and write cells.</summary>
    /// <param name="defaultKernel">The kernel of text before the first cell header (VS Code's: csharp).</param>
    public static KernelInfoCollection Kernels(string defaultKernel = "csharp")
    {
        var kernels = new KernelInfoCollection
        {
            new KernelInfo("csharp", "C#", ["c#", "C#"]),
            new KernelInfo("markdown", "Markdown", ["md"]),
        };
        kernels.DefaultKernelName = defaultKernel;
        return kernels;
    }

    /// <summary>True for the file kinds the builder runs.</summary>
    public static bool IsNotebook(string path) =>
        Path.GetExtension(path) is ".dib" or ".ipynb";

    /// <summary>
    /// Parses <paramref name="path"/> (.dib or .ipynb); a .dib is parsed once and turned into <paramref name="variant"/>
    /// with its exercise solutions (<see cref="NotebookVariants"/>).
    /// </summary>
    public static InteractiveDocument Read(string path, Variant variant = Variant.Lecturer)
    {
        string text = File.ReadAllText(path);
        return Path.GetExtension(path) == ".ipynb"
            ? Notebook.Parse(text, Kernels())
            : NotebookVariants.Apply(ParseDib(text), ExerciseSolutions.Load(path), variant, path);
    }

    /// <summary>The .dib text of <paramref name="path"/> in the form <paramref name="variant"/>.</summary>
    public static string VariantText(string path, Variant variant) => ToDib(Read(path, variant));

    /// <summary>The cells of .dib text, as VS Code's Polyglot Notebooks reads them (<c>#!csharp</c>, <c>#!c#</c>,
    /// <c>#!markdown</c>, <c>#!md</c> headers; <c>#!meta</c> into the document's metadata).</summary>
    /// <param name="dibText">The file's text.</param>
    /// <param name="defaultKernel">The kernel of text before the first header.</param>
    public static InteractiveDocument ParseDib(string dibText, string defaultKernel = "csharp") =>
        CodeSubmission.Parse(dibText, Kernels(defaultKernel));

    /// <summary>The .dib text of <paramref name="notebook"/>, written by the same library that parsed it.</summary>
    public static string ToDib(InteractiveDocument notebook) => notebook.ToCodeSubmissionContent();
}
