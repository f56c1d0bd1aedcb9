using System.Net;
using System.Text;

namespace BatchNormNotebooks;

/// <summary>
/// A small HTML table of already formatted cells, for a notebook result table that should read as one table
/// (display it with the kernel's <c>HTML(…)</c>). Used by notebooks/03-batchnorm-algorithm §5.
/// </summary>
public static class HtmlTable
{
    /// <summary>The table with a header row <paramref name="headers"/> and one row per entry of <paramref name="rows"/>;
    /// every cell is HTML-encoded; the first column is left-aligned, the others right-aligned.</summary>
    /// <exception cref="ArgumentException">A row has a different number of cells than the header.</exception>
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        const string cell = "padding:3px 10px;border-bottom:1px solid #ddd;";
        var sb = new StringBuilder("<table class=\"bnn-table\" style=\"border-collapse:collapse;font-size:90%\"><thead><tr>");
        foreach (string h in headers)
        {
            sb.Append("<th style=\"").Append(cell).Append("text-align:left\">").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        }

        sb.Append("</tr></thead><tbody>");
        int index = 0;
        foreach (var row in rows)
        {
            if (row.Count != headers.Count)
            {
                throw new ArgumentException($"Row {index} has {row.Count} cells but the header has {headers.Count}.", nameof(rows));
            }

            sb.Append("<tr>");
            for (int j = 0; j < row.Count; j++)
            {
                sb.Append("<td style=\"").Append(cell).Append(j == 0 ? "text-align:left" : "text-align:right").Append("\">")
                  .Append(WebUtility.HtmlEncode(row[j])).Append("</td>");
            }

            sb.Append("</tr>");
            index++;
        }

        return sb.Append("</tbody></table>").ToString();
    }
}
