using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

public class HtmlTableTests
{
    [Fact]
    public void RendersHeadersAndCellsInOrderWithFourSignificantDigits()
    {
        string html = HtmlTable.Render(["m", "loss"], [[2, 0.123456], [128, 1e-7]]);
        string[] cells = [.. System.Text.RegularExpressions.Regex.Matches(html, "<t[hd][^>]*>([^<]*)</t[hd]>").Select(m => m.Groups[1].Value)];
        Assert.Equal(["m", "loss", "2", "0.1235", "128", "1E-07"], cells);
    }

    [Fact]
    public void EncodesText()
    {
        string html = HtmlTable.Render(["a<b"], [["x & y"]]);
        Assert.Contains("a&lt;b", html, StringComparison.Ordinal);
        Assert.Contains("x &amp; y", html, StringComparison.Ordinal);
        Assert.DoesNotContain("a<b", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsARowOfTheWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(() => HtmlTable.Render(["a", "b"], [[1, 2], [3]]));
        Assert.Contains("Row 1 has 1 cells but the table has 2 columns", e.Message, StringComparison.Ordinal);
    }
}
