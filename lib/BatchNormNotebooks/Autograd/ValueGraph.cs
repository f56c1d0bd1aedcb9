using System.Globalization;
using System.Net;
using System.Text;

namespace BatchNormNotebooks;

/// <summary>One box of a drawn computational graph: the value, its column (depth) and row.</summary>
/// <param name="Value">The node.</param>
/// <param name="Column">0 for leaves, else 1 + the largest column of its inputs.</param>
/// <param name="Row">Vertical position: leaves 0, 1, 2, … in graph order; an operation sits at the mean row of its inputs.</param>
public sealed record ValueGraphNode(Value Value, int Column, double Row);

/// <summary>
/// Lays out and draws the computational graph that <see cref="Value"/> builds, left (inputs) to right (output), as a
/// self-contained SVG: one box per value with its label or operation, its data and its gradient, and an arrow from
/// every input to the operation that uses it.
/// </summary>
/// <remarks>Taught in notebooks/01-backprop-recap (the graph of the lecture's neuron z11 = w1·x1 + w2·x2 + b,
/// a11 = σ(z11)).</remarks>
public static class ValueGraph
{
    private const int BoxWidth = 118;
    private const int BoxHeight = 54;
    private const int ColumnGap = 150;
    private const int RowGap = 66;

    /// <summary>The layout of every value <paramref name="root"/> depends on, in <see cref="Value.Graph"/> order.</summary>
    public static IReadOnlyList<ValueGraphNode> Layout(Value root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var placed = new Dictionary<Value, ValueGraphNode>(ReferenceEqualityComparer.Instance);
        var nodes = new List<ValueGraphNode>();
        int leaves = 0;
        foreach (var v in root.Graph())
        {
            var node = v.Children.Count == 0
                ? new ValueGraphNode(v, 0, leaves++)
                : new ValueGraphNode(v, 1 + v.Children.Max(c => placed[c].Column), v.Children.Average(c => placed[c].Row));
            placed[v] = node;
            nodes.Add(node);
        }

        return nodes;
    }

    /// <summary>The graph of <paramref name="root"/> as an SVG element (data and gradient in format <paramref name="format"/>).</summary>
    public static string ToSvg(Value root, string format = "G4")
    {
        var nodes = Layout(root);
        var at = new Dictionary<Value, ValueGraphNode>(ReferenceEqualityComparer.Instance);
        foreach (var n in nodes)
        {
            at[n.Value] = n;
        }

        int width = ((nodes.Max(n => n.Column) + 1) * ColumnGap) + 10;
        int height = (int)Math.Ceiling((nodes.Max(n => n.Row) + 1) * RowGap) + 10;
        var svg = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" style=\"max-width:100%;height:auto\" font-family=\"monospace\" font-size=\"12\">"));
        svg.Append("<defs><marker id=\"bnn-arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#888\"/></marker></defs>");
        foreach (var n in nodes)
        {
            foreach (var c in n.Value.Children)
            {
                var (x1, y1) = Corner(at[c]);
                var (x2, y2) = Corner(n);
                svg.Append(string.Create(CultureInfo.InvariantCulture,
                    $"<line x1=\"{x1 + BoxWidth}\" y1=\"{y1 + (BoxHeight / 2)}\" x2=\"{x2}\" y2=\"{y2 + (BoxHeight / 2)}\" stroke=\"#888\" marker-end=\"url(#bnn-arrow)\"/>"));
            }
        }

        foreach (var n in nodes)
        {
            var (x, y) = Corner(n);
            var v = n.Value;
            string title = v.Op.Length == 0 ? v.Label : v.Label.Length == 0 ? v.Op : $"{v.Label} = {v.Op}";
            string fill = v.Op.Length == 0 ? "#e8f0fb" : "#fdf1e0";
            svg.Append(string.Create(CultureInfo.InvariantCulture,
                $"<rect x=\"{x}\" y=\"{y}\" width=\"{BoxWidth}\" height=\"{BoxHeight}\" rx=\"6\" fill=\"{fill}\" stroke=\"#666\"/>"));
            Text(svg, x, y + 16, title, "bold");
            Text(svg, x, y + 32, "data " + v.Data.ToString(format, CultureInfo.InvariantCulture), "normal");
            Text(svg, x, y + 47, "grad " + v.Grad.ToString(format, CultureInfo.InvariantCulture), "normal");
        }

        return svg.Append("</svg>").ToString();
    }

    private static (int X, int Y) Corner(ValueGraphNode n) => ((n.Column * ColumnGap) + 5, (int)Math.Round(n.Row * RowGap) + 5);

    private static void Text(StringBuilder svg, int x, int y, string text, string weight) =>
        svg.Append(string.Create(CultureInfo.InvariantCulture,
            $"<text x=\"{x + 6}\" y=\"{y}\" font-weight=\"{weight}\">{WebUtility.HtmlEncode(text)}</text>"));
}
