using System.Globalization;
using System.Net;
using System.Text;

namespace BatchNormNotebooks.Grade;

/// <summary>grades.csv (one row per student, notebook and exercise) and grades.html (one row per student).</summary>
public static class GradeReport
{
    /// <summary>The CSV text of a result: passed, failed, not answered, error, timed out.</summary>
    public static string Text(GradeResult result) => result switch
    {
        GradeResult.Passed => "passed",
        GradeResult.Failed => "failed",
        GradeResult.NotAnswered => "not answered",
        GradeResult.Error => "error",
        GradeResult.TimedOut => "timed out",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "unknown result"),
    };

    /// <summary>grades.csv: header <c>student,notebook,exercise,result,message</c>, RFC 4180 quoting, UTF-8.</summary>
    public static string Csv(IEnumerable<GradeRow> rows)
    {
        var csv = new StringBuilder("student,notebook,exercise,result,message\n");
        foreach (var r in rows)
        {
            csv.Append(string.Join(',', new[] { r.Student, r.Notebook, r.Exercise, Text(r.Result), r.Message }.Select(Quote))).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>grades.html: one row per student, one column per exercise (grouped by notebook), a total; offline,
    /// sortable by clicking a column's header; each cell's message in its tooltip.</summary>
    public static string Html(IReadOnlyList<GradeRow> rows, string summary)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = rows.Select(r => (r.Notebook, r.Exercise)).Distinct().OrderBy(c => c.Notebook, StringComparer.Ordinal).ToList();
        var students = rows.Select(r => r.Student).Distinct().ToList();
        var byKey = rows.GroupBy(r => (r.Student, r.Notebook, r.Exercise)).ToDictionary(g => g.Key, g => g.Last());
        var html = new StringBuilder();
        html.Append("<tr><th>student</th><th>passed</th>");
        foreach (var (notebook, exercise) in columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th title=\"{Enc(notebook)}\">{Enc(notebook[..Math.Min(2, notebook.Length)])} · {Enc(exercise)}</th>");
        }

        html.Append("</tr>\n");
        foreach (string student in students)
        {
            int passed = rows.Count(r => r.Student == student && r.Result == GradeResult.Passed);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Enc(student)}</td><td data-sort=\"{passed}\">{passed}/{columns.Count}</td>");
            foreach (var (notebook, exercise) in columns)
            {
                if (byKey.TryGetValue((student, notebook, exercise), out var row))
                {
                    string text = Text(row.Result);
                    html.Append(CultureInfo.InvariantCulture, $"<td class=\"{text.Replace(' ', '-')}\" title=\"{Enc(row.Message)}\">{Enc(text)}</td>");
                }
                else
                {
                    html.Append("<td></td>");
                }
            }

            html.Append("</tr>\n");
        }

        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Grades</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 1.5rem; }
            table { border-collapse: collapse; font-size: .85rem; } th, td { border: 1px solid #ccc; padding: .2rem .4rem; }
            th { cursor: pointer; background: #f3f3f5; position: sticky; top: 0; }
            .passed { background: #d9f2dd; } .failed { background: #f8d7da; } .error { background: #fde2b8; }
            .timed-out { background: #e4d4f4; } .not-answered { color: #6b6b70; }
            </style></head>
            <body>
            <h1>Grades</h1>
            <p>{{Enc(summary)}} Hover over a cell for the check's message; click a column's header to sort by it.</p>
            <table id="grades">
            {{html}}</table>
            <script>
            document.querySelectorAll('#grades th').forEach((th, col) => th.addEventListener('click', () => {
              const table = th.closest('table'), rows = [...table.rows].slice(1);
              const key = r => { const c = r.cells[col]; return c.dataset.sort !== undefined ? Number(c.dataset.sort) : c.textContent; };
              const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
              rows.sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * dir; });
              rows.forEach(r => table.tBodies[0].appendChild(r));
            }));
            </script>
            </body>
            </html>
            """;
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    private static string Enc(string text) => WebUtility.HtmlEncode(text);
}
