using System.Globalization;
using System.Net;
using System.Text;

namespace BatchNormNotebooks.Handouts;

/// <summary>handouts/lecturer/index.html: every handout with its executed notebook and run time, and links to the
/// students' kit beside it (handouts/students/, handouts/students.zip); handouts/index.html points to both.</summary>
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
                ? $" · students: <a href=\"../students/{nb.Name}.html\">handout</a>, <a href=\"../students/{StudentKit.NotebooksFolder}/{nb.Name}.dib\">notebook</a>"
                : "";
            rows.Append(CultureInfo.InvariantCulture,
                $"<li><a href=\"{nb.Name}.html\">{WebUtility.HtmlEncode(nb.Title)}</a> <span class=\"meta\">· <a href=\"{nb.Name}.ipynb\">{nb.Name}.ipynb</a>{forStudents} · {nb.Cells.Count(c => c.IsCode)} code cells ({nb.LiveCells} live) · {nb.Claims.Count()} checked claims · {seconds:0.0} s in the kernel</span></li>\n");
        }

        foreach (var name in wrong)
        {
            rows.Append(CultureInfo.InvariantCulture, $"<li class=\"meta\">wrong-answers run (tests): <a href=\"../wrong/{name}.html\">{name}</a></li>\n");
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
            checked claims and exercise results: <a href="../report.json">report.json</a>.</p>
            {{(students.Count > 0 ? """<p>Students' kit (publish this folder or the zip; it holds no solutions): <a href="../students/index.html">students/</a> · <a href="../students.zip">students.zip</a>.</p>""" : "")}}
            <ul>
            {{rows}}</ul>
            </body>
            </html>
            """;
    }

    /// <summary>handouts/index.html: where the lecturer's and the students' handouts are.</summary>
    public static string RenderTop(IReadOnlyList<Variant> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        string Link(Variant v, string text) => variants.Contains(v) ? $"<li><a href=\"{v.ToString().ToLowerInvariant()}/index.html\">{text}</a></li>" : "";
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Batch normalization: handouts</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6">
            <h1>Batch normalization: handouts</h1>
            <ul>
            {{Link(Variant.Lecturer, "The lecturer's handouts (with solutions: do not publish)")}}
            {{Link(Variant.Students, "The students' kit (publish students/ or students.zip)")}}
            </ul>
            </body>
            </html>
            """;
    }
}
