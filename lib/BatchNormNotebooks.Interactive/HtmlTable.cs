using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// One table instead of a string of Console lines: <c>HtmlTable.Of(["m", "loss"], runs.Select(r =&gt; new object[] { r.M, r.Loss }))</c>
/// as the last expression of a cell shows a headed HTML table. Numbers are shown with 4 significant digits (integers
/// in full), strings as given (HTML-encoded). Used by notebooks/05-moving-averages-inference and 04-epsilon.
/// </summary>
public static class HtmlTable
{
    /// <summary>The table as HTML content the notebook displays (the last expression of a cell).</summary>
    /// <param name="headers">Column headers.</param>
    /// <param name="rows">One array of cells per row, as many as there are headers.</param>
    /// <exception cref="ArgumentException">A row has a different number of cells than there are headers.</exception>
    public static IHtmlContent Of(IReadOnlyList<string> headers, IEnumerable<object?[]> rows) => new HtmlString(Render(headers, rows));

    /// <summary>The HTML text of the table (see <see cref="Of"/>).</summary>
    /// <exception cref="ArgumentException">A row has a different number of cells than there are headers.</exception>
    public static string Render(IReadOnlyList<string> headers, IEnumerable<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder("<table class=\"bnn-table\" style=\"border-collapse:collapse;font-family:monospace;font-size:90%\"><thead><tr>");
        foreach (string h in headers)
        {
            sb.Append("<th scope=\"col\" style=\"padding:2px 10px;border-bottom:1px solid #999;text-align:right\">").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        }

        sb.Append("</tr></thead><tbody>");
        int index = 0;
        foreach (object?[] row in rows)
        {
            if (row.Length != headers.Count)
            {
                throw new ArgumentException($"Row {index} has {row.Length} cells but the table has {headers.Count} columns.", nameof(rows));
            }

            sb.Append("<tr>");
            foreach (object? cell in row)
            {
                sb.Append("<td style=\"padding:2px 10px;text-align:right\">").Append(WebUtility.HtmlEncode(Format(cell))).Append("</td>");
            }

            sb.Append("</tr>");
            index++;
        }

        return sb.Append("</tbody></table>").ToString();
    }

    /// <summary>A cell's text: floating-point numbers with 4 significant digits, everything else invariantly formatted.</summary>
    public static string Format(object? cell) => cell switch
    {
        null => "",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}
