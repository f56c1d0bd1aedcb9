using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>Claims print their value and bound, throw when false, and the sign test gives the binomial tail.</summary>
[Collection(nameof(ConsoleCollection))]
public class ClaimTests
{
    private static string Printed(Action claim) => ConsoleCapture.Of(claim);

    [Fact]
    public void Typed_claims_print_value_and_bound()
    {
        Assert.Equal("✓ far (7.2 vs 1; 7.2× ≥ 3×)", Printed(() => Claim.Ratio("far", 7.2, 1, atLeast: 3)));
        Assert.Equal("✓ high (0.97 ≥ 0.95)", Printed(() => Claim.AtLeast("high", 0.97, 0.95)));
        Assert.Equal("✓ low (2.5 ≤ 3)", Printed(() => Claim.AtMost("low", 2.5, 3)));
        Assert.Equal("✓ less (1 < 2)", Printed(() => Claim.Below("less", 1, 2)));
        Assert.Equal("✓ more (a; 2 > 1)", Printed(() => Claim.Above("more", 2, 1, evidence: "a")));
        Assert.Equal("✓ near (0.31 ∈ 0.3 ± 0.02)", Printed(() => Claim.Within("near", 0.31, 0.3, 0.02)));
        Assert.Equal("✓ about 10 (10.9 ∈ 10 ± 10 %)", Printed(() => Claim.About("about 10", 10.9, 10)));
        Assert.Equal("✓ in (4 ∈ [3, 15])", Printed(() => Claim.Between("in", 4, 3, 15)));
        Assert.Equal("≡ same (1 = 1)", Printed(() => Claim.Demonstrate("same", true, "1 = 1")));
    }

    [Theory]
    [InlineData(2.9)]
    [InlineData(double.NaN)]
    public void A_ratio_below_its_bound_throws_naming_value_and_bound(double numerator)
    {
        if (double.IsNaN(numerator))
        {
            Assert.Throws<ArgumentException>(() => Claim.Ratio("far", numerator, 1, atLeast: 3));
            return;
        }

        var e = Assert.Throws<ClaimFailedException>(() => Claim.Ratio("far", numerator, 1, atLeast: 3));
        Assert.Equal("far (2.9 vs 1; 2.9× ≥ 3×)", e.ClaimText);
    }

    [Fact]
    public void Each_comparison_fails_just_past_its_bound()
    {
        Assert.Throws<ClaimFailedException>(() => Claim.AtLeast("x", 0.9499, 0.95));
        Assert.Throws<ClaimFailedException>(() => Claim.AtMost("x", 3.0001, 3));
        Assert.Throws<ClaimFailedException>(() => Claim.Above("x", 1, 1));
        Assert.Throws<ClaimFailedException>(() => Claim.Below("x", 2, 2));
        Assert.Throws<ClaimFailedException>(() => Claim.Within("x", 0.33, 0.3, 0.02));
        Assert.Throws<ClaimFailedException>(() => Claim.About("x", 11.1, 10));
        Assert.Throws<ClaimFailedException>(() => Claim.Between("x", 15.5, 3, 15));
        Assert.Throws<ClaimFailedException>(() => Claim.AtLeast("x", double.NaN, 0));
        Assert.Throws<ClaimFailedException>(() => Claim.Demonstrate("x", false, "1 ≠ 2"));
        Assert.Throws<ArgumentException>(() => Claim.That("x", true, ""));
    }

    [Fact]
    public void A_claim_over_seeds_names_each_seed_and_the_worst_against_the_bound()
    {
        string line = Printed(() => Claim.ForAllSeeds("every seed at least 95 %", [(1, 0.98), (2, 0.96), (3, 0.99)], Bound.AtLeast(0.95), "F2"));
        Assert.Equal("✓ every seed at least 95 % (seed 1: 0.98, seed 2: 0.96, seed 3: 0.99; worst of 3 seeds 0.96 ≥ 0.95)", line);

        var e = Assert.Throws<ClaimFailedException>(() =>
            Claim.ForAllSeeds("every seed below 1", [(1, 0.5), (2, 1.5), (3, double.NaN)], Bound.Below(1), "F1"));
        Assert.Contains("false on 2 of 3 seeds", e.ClaimText, StringComparison.Ordinal);
        Assert.Contains("worst of 3 seeds NaN < 1.0", e.ClaimText, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Claim.ForAllSeeds("dup", [(1, 1.0), (1, 2.0)], Bound.AtLeast(0)));
    }

    [Fact]
    public void ForAll_lists_every_run_when_it_holds_and_only_the_failing_ones_when_not()
    {
        Assert.Equal("✓ all small (a: 1 < 2; b: 0 < 2)", Printed(() => Claim.ForAll("all small", [("a", true, "1 < 2"), ("b", true, "0 < 2")])));
        var e = Assert.Throws<ClaimFailedException>(() => Claim.ForAll("all small", [("a", true, "1 < 2"), ("b", false, "3 < 2")]));
        Assert.Equal("all small (false for 1 of 2: b: 3 < 2)", e.ClaimText);
        Assert.Throws<ArgumentException>(() => Claim.ForAll("none", []));
    }

    [Theory]
    // Two-sided sign test = 2 · P(Bin(n, ½) ≤ min(w, l)), capped at 1; values from the binomial table.
    [InlineData(9, 1, 22.0 / 1024)]
    [InlineData(10, 0, 2.0 / 1024)]
    [InlineData(5, 0, 2.0 / 32)]
    [InlineData(6, 0, 2.0 / 64)]
    [InlineData(8, 2, 112.0 / 1024)]
    [InlineData(3, 3, 1.0)]
    [InlineData(0, 0, 1.0)]
    public void The_sign_test_is_the_two_sided_binomial_tail(int wins, int losses, double expected)
    {
        Assert.Equal(expected, Claim.SignTestP(wins, losses), 12);
        Assert.Equal(expected, Claim.SignTestP(losses, wins), 12);
    }

    [Fact]
    public void A_paired_result_needs_p_below_five_percent_and_ties_count_for_neither()
    {
        double[] a = [0.9, 0.8, 0.85, 0.9, 0.7, 0.95, 0.9, 0.9, 0.9, 0.6];
        double[] b = [0.8, 0.7, 0.80, 0.8, 0.6, 0.90, 0.8, 0.8, 0.8, 0.7];
        Assert.Equal("✓ a beats b (better on 9 of 10 seeds, worse on 1; sign test p = 0.021 < 0.05)", Printed(() => Claim.Paired("a beats b", a, b)));
        Assert.Throws<ClaimFailedException>(() => Claim.Paired("b beats a", b, a));
        Assert.Throws<ClaimFailedException>(() => Claim.NotAResult("no difference", a, b));

        // Five of five seeds is p = 0.0625: never a result with five seeds.
        double[] five = [1, 2, 3, 4, 5];
        double[] fiveLower = [0, 1, 2, 3, 4];
        Assert.Throws<ClaimFailedException>(() => Claim.Paired("five wins", five, fiveLower));
        Assert.Contains("p = 0.062 ≥ 0.05", Printed(() => Claim.NotAResult("not a result with five seeds", five, fiveLower)), StringComparison.Ordinal);

        // Lower-is-better and ties: 6 wins, 0 losses, 1 tie.
        Assert.Contains("better on 6 of 7 seeds, worse on 0; sign test p = 0.031",
            Printed(() => Claim.Paired("lower loss", [1, 1, 1, 1, 1, 1, 2], [2, 2, 2, 2, 2, 2, 2], higherIsBetter: false)), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Claim.Paired("unpaired", [1.0], [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => Claim.Paired("diverged", [double.NaN], [1.0]));
    }
}
