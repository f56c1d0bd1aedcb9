using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace BatchNormNotebooks.Handouts;

/// <summary>Writes an executed notebook as .ipynb (outputs included) for Jupyter and VS Code.</summary>
public static class IpynbWriter
{
    /// <summary>Writes <paramref name="notebook"/> to <paramref name="path"/>.</summary>
    public static void Write(ExecutedNotebook notebook, string path)
    {
        var document = new InteractiveDocument();
        int executionCount = 0;
        foreach (var cell in notebook.Cells)
        {
            var element = new InteractiveDocumentElement(cell.Source, cell.Language, cell.Outputs.Select(ToOutput));
            if (cell.IsCode)
            {
                element.ExecutionOrder = ++executionCount;
            }

            document.Add(element);
        }

        using (var stream = File.Create(path))
        {
            Notebook.Write(document, stream, NotebookFile.Kernels());
        }

        // Name the kernel, so Jupyter opens (and `jupyter nbconvert --execute` runs) the file in ".NET (C#)".
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var metadata = json["metadata"] as JsonObject ?? [];
        metadata["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        metadata["language_info"] = new JsonObject { ["name"] = "C#", ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp", ["pygments_lexer"] = "csharp" };
        json["metadata"] = metadata;
        File.WriteAllText(path, json.ToJsonString());
    }

    private static InteractiveDocumentOutputElement ToOutput(CellOutput output) => output.Kind switch
    {
        OutputKind.StandardOutput => new TextElement(output.Value, "stdout"),
        OutputKind.StandardError => new TextElement(output.Value, "stderr"),
        OutputKind.Error => new ErrorElement(output.Value, "Error", []),
        OutputKind.ReturnValue => ReturnValue(output),
        _ => new DisplayElement(new Dictionary<string, object> { [output.MimeType] = output.Value }),
    };

    private static ReturnValueElement ReturnValue(CellOutput output)
    {
        var element = new ReturnValueElement();
        element.Data[output.MimeType] = output.Value;
        return element;
    }
}
