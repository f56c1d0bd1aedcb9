using System.Globalization;
using System.Net;
using System.Text;

namespace BatchNormNotebooks.Handouts;

/// <summary>handouts/index.html: every handout with its executed notebook and run time.</summary>
public static class IndexPage
{
    /// <summary>The page listing <paramref name="notebooks"/>.</summary>
    public static string Render(IReadOnlyList<ExecutedNotebook> notebooks)
    {
        var rows = new StringBuilder();
        var students = notebooks.Where(n => n.Variant == Variant.Students).Select(n => n.Name).ToHashSet();
        var wrong = notebooks.Where(n => n.Variant == Variant.Wrong).Select(n => n.Name).ToHashSet();
        foreach (var nb in notebooks.Where(n => n.Variant == Variant.Lecturer))
        {
            double seconds = nb.Cells.Sum(c => c.Seconds);
            string forStudents = students.Contains(nb.Name)
                ? $" · students: <a href=\"students/{nb.Name}.html\">handout</a>, <a href=\"students/{nb.Name}.dib\">notebook</a>"
                : "";
            rows.Append(CultureInfo.InvariantCulture,
                $"<li><a href=\"{nb.Name}.html\">{WebUtility.HtmlEncode(nb.Title)}</a> <span class=\"meta\">· <a href=\"{nb.Name}.ipynb\">{nb.Name}.ipynb</a>{forStudents} · {nb.Cells.Count(c => c.IsCode)} code cells ({nb.LiveCells} live) · {nb.Claims.Count()} checked claims · {seconds:0.0} s in the kernel</span></li>\n");
        }

        foreach (var name in wrong)
        {
            rows.Append(CultureInfo.InvariantCulture, $"<li class=\"meta\">wrong-answers run (tests): <a href=\"wrong/{name}.html\">{name}</a></li>\n");
        }

        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Batch normalization: handouts</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
            li { margin: .4rem 0; } .meta { color: #6b6b70; font-size: .9rem; } a { color: #0b62b0; }
            </style></head>
            <body>
            <h1>Batch normalization: handouts</h1>
            <p>Each notebook was run top to bottom in the .NET Interactive kernel. The HTML pages work offline; the
            .ipynb files open in Jupyter and VS Code with their outputs. The lecturer's handouts show the exercises
            answered with their reference solutions; the students' handouts and notebooks leave them to the reader.
            Cells marked <code>// ▶ live</code> are the lecture's live path; the rest is for self-study. Timings,
            checked claims and exercise results: <a href="report.json">report.json</a>.</p>
            <ul>
            {{rows}}</ul>
            </body>
            </html>
            """;
    }
}
