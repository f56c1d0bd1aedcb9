using System.Text;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>The handout's markdown rewrites and its table of contents, without a kernel.</summary>
public sealed class HtmlHandoutMarkdownTests
{
    private static (string Html, string Toc) Render(string markdown, HashSet<string>? ids = null)
    {
        var toc = new StringBuilder();
        string html = HtmlHandout.Markdown(markdown, toc, ids ?? new HashSet<string>(StringComparer.Ordinal));
        return (html, toc.ToString());
    }

    [Fact]
    public void A_quote_opening_with_What_to_remember_becomes_a_heading_and_the_quote()
    {
        var (html, toc) = Render("Text.\n\n> **What to remember**\n>\n> ε keeps the division finite.\n");
        Assert.Contains("<h2 id=\"what-to-remember\">What to remember</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<blockquote>\n<p>ε keeps the division finite.</p>\n</blockquote>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<strong>What to remember</strong>", html, StringComparison.Ordinal);
        Assert.Equal("<li class=\"l2\"><a href=\"#what-to-remember\">What to remember</a></li>", toc);
    }

    [Fact]
    public void Display_math_on_a_line_of_its_own_becomes_a_math_block_and_inline_math_stays_inline()
    {
        var (html, _) = Render("Before\n\n$$\\hat x = \\frac{x-\\mu}{\\sigma}$$\n\nand $a$ inline, $$b$$ inside a sentence.\n");
        Assert.Contains("<div class=\"math\">", html, StringComparison.Ordinal);
        Assert.Contains("\\hat x = \\frac{x-\\mu}{\\sigma}", html, StringComparison.Ordinal);
        Assert.Equal(1, html.Split("<div class=\"math\">").Length - 1);
        Assert.Contains("<span class=\"math\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_contents_list_levels_1_to_3_with_their_math_and_without_their_links_under_ids_unique_on_the_page()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var (_, first) = Render("# Intro\n\n## The $\\epsilon$ term\n\n#### Too deep\n", ids);
        var (html, second) = Render("## Intro\n\n### See [the paper](https://arxiv.org/abs/1502.03167)\n", ids);
        Assert.Equal("<li class=\"l1\"><a href=\"#intro\">Intro</a></li>" +
            "<li class=\"l2\"><a href=\"#the-term\">The <span class=\"math\">\\(\\epsilon\\)</span> term</a></li>", first);
        Assert.Equal("<li class=\"l2\"><a href=\"#intro-2\">Intro</a></li>" +
            "<li class=\"l3\"><a href=\"#see-the-paper\">See the paper</a></li>", second);
        Assert.Contains("<h2 id=\"intro-2\">Intro</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://arxiv.org/abs/1502.03167\">the paper</a>", html, StringComparison.Ordinal);
    }
}
