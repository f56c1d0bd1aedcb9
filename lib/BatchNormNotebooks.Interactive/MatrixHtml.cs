using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;

namespace BatchNormNotebooks.Interactive;

/// <summary>Shows a <see cref="Matrix{T}"/> as an HTML table headed by its shape.</summary>
/// <remarks>Big matrices are truncated: the first and last rows and columns are shown around a "…".</remarks>
public static class MatrixHtml
{
    /// <summary>Rows (and columns) shown at most before truncating.</summary>
    public const int MaxShown = 12;

    /// <summary>The HTML table for <paramref name="m"/>, values with 4 significant digits.</summary>
    public static string Render<T>(Matrix<T> m) where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(m);
        int[] rows = Shown(m.Rows);
        int[] cols = Shown(m.Cols);
        var sb = new StringBuilder();
        sb.Append("<div class=\"bnn-matrix\">");
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"bnn-shape\" style=\"font-family:monospace;font-size:90%;color:#555\">Matrix&lt;{typeof(T).Name}&gt; shape {m.Shape}</div>");
        sb.Append("<table style=\"border-collapse:collapse;font-family:monospace;font-size:90%\"><thead><tr><td aria-hidden=\"true\"></td>");
        foreach (int j in cols)
        {
            sb.Append(j < 0 ? "<th scope=\"col\">…</th>" : string.Create(CultureInfo.InvariantCulture, $"<th scope=\"col\" style=\"padding:2px 8px;color:#666\">{j}</th>"));
        }

        sb.Append("</tr></thead><tbody>");
        foreach (int i in rows)
        {
            sb.Append("<tr>");
            sb.Append(i < 0 ? "<th scope=\"row\">⋮</th>" : string.Create(CultureInfo.InvariantCulture, $"<th scope=\"row\" style=\"padding:2px 8px;color:#666\">{i}</th>"));
            foreach (int j in cols)
            {
                string cell = i < 0 || j < 0 ? "…" : WebUtility.HtmlEncode(Matrix<T>.Format(m[i, j]));
                sb.Append("<td style=\"padding:2px 8px;text-align:right\">").Append(cell).Append("</td>");
            }

            sb.Append("</tr>");
        }

        sb.Append("</tbody></table></div>");
        return sb.ToString();
    }

    /// <summary>Indices to show along one axis of length <paramref name="n"/>; −1 stands for the elided middle.</summary>
    private static int[] Shown(int n)
    {
        if (n <= MaxShown)
        {
            return Enumerable.Range(0, n).ToArray();
        }

        int head = MaxShown - 3;
        return [.. Enumerable.Range(0, head), -1, n - 2, n - 1];
    }
}
