namespace BatchNormNotebooks.Tests.Experiments;

public class Figure1DriftTests
{
    // Records at steps 0, 5000, 6000, 7000, 8000; the median (P50) at 5000–8000 is 1, 3, 1, 3 (path 6, least-squares slope
    // 0.4 per 1,000 steps → trend 1.2); P15 = P50 − 1 and P85 = P50 + 1 except at step 8000, where P85 = P50 + 3 (spread 4).
    private static readonly Figure1Curve Curve = new("without BN", false, 3, [0, 5000, 6000, 7000, 8000], [0.1, 0.9, 0.9, 0.9, 0.9],
        [2, 1, 1, 1, 1], [2, 1, 1, 1, 1], P15: [9, 0, 2, 0, 2], P50: [10, 1, 3, 1, 3], P85: [11, 2, 4, 2, 6], 1, false);

    [Fact]
    public void Records_from_a_step_on_and_too_few_records_throw()
    {
        Assert.Equal([1, 2, 3, 4], Figure1Drift.Records(Curve, 5000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Figure1Drift.Records(Curve, 8000));
    }

    [Fact]
    public void Net_share_is_trend_over_path_and_trend_in_spreads_divides_by_the_mean_spread()
    {
        Assert.Equal(1.2 / 6, Figure1Drift.NetShare(Curve, 5000), 12);
        Assert.Equal(1.2 / 2.5, Figure1Drift.TrendInSpreads(Curve, 5000), 12);   // spreads 2, 2, 2, 4 → mean 2.5
    }

    [Fact]
    public void Travel_sums_the_three_percentiles_raw_and_in_spreads()
    {
        Assert.Equal(6 + 6 + 8, Figure1Drift.Travel(Curve, 5000), 12);   // P15 and P50: 2+2+2; P85: 2+2+4
        // every move divided by the spread at the earlier record (2 at each): (6 + 6 + 8) / 2
        Assert.Equal(10, Figure1Drift.TravelInSpreads(Curve, 5000), 12);
        Assert.Equal(4 - 2, Figure1Drift.SpreadGrowth(Curve, 5000), 12);
    }

    [Fact]
    public void A_median_that_moves_at_a_constant_rate_has_net_share_one()
    {
        var steady = Curve with { P15 = [0, 0, 1, 2, 3], P50 = [1, 1, 2, 3, 4], P85 = [2, 2, 3, 4, 5] };
        Assert.Equal(1, Figure1Drift.NetShare(steady, 5000), 12);
        Assert.Equal(1.5, Figure1Drift.TrendInSpreads(steady, 5000), 12);   // trend 3 over a spread of 2
    }

    [Fact]
    public void Travel_in_spreads_needs_a_positive_spread() =>
        Assert.Throws<InvalidOperationException>(() => Figure1Drift.TravelInSpreads(Curve with { P85 = Curve.P15 }, 5000));
}
