namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>report.json reads value, bound and seeds back from the claim lines the notebooks print.</summary>
public sealed class ClaimRowTests
{
    [Theory]
    [InlineData("far (7.2 vs 1; 7.2× ≥ 3×)", "7.2×", "≥ 3×", null)]
    [InlineData("high (0.97 ≥ 0.95)", "0.97", "≥ 0.95", null)]
    [InlineData("about 10 (10.9 ∈ 10 ± 10 %)", "10.9", "∈ 10 ± 10 %", null)]
    [InlineData("every seed (seed 1: 0.98, seed 2: 0.96; worst of 2 seeds 0.96 ≥ 0.95)", "worst of 2 seeds 0.96", "≥ 0.95", 2)]
    [InlineData("a beats b (better on 9 of 10 seeds, worse on 1; sign test p = 0.021 < 0.05)", "sign test p = 0.021", "< 0.05", 10)]
    [InlineData("two is larger than one (2 vs 1)", null, null, null)]
    [InlineData("no parenthesis at all", null, null, null)]
    public void Value_bound_and_seeds_come_from_the_printed_line(string text, string? value, string? bound, int? seeds)
    {
        var row = ClaimRow.Parse("01-x.dib", 3, text);
        Assert.Equal((text, value, bound, seeds), (row.Text, row.Value, row.Bound, row.Seeds));
    }
}
