using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>The chart bands name what their lines are: expected values worked out by hand.</summary>
public class BandTests
{
    [Fact]
    public void Mean_sd_band_uses_the_sample_standard_deviation()
    {
        // at x = 1: runs 1, 3, 5 → mean 3, Σ(v − 3)² = 8, n − 1 = 2, sd 2 (dividing by n would give √(8/3) ≈ 1.63)
        // at x = 2: runs 2, 2, 2 → mean 2, sd 0
        var band = MeanSdBand.OverRuns("loss", [1.0, 2.0], [[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]]);
        Assert.Equal([3.0, 2.0], band.Mid);
        Assert.Equal([2.0, 0.0], band.Sd);
        Assert.Equal([1.0, 2.0], band.Low);
        Assert.Equal([5.0, 2.0], band.High);
    }

    [Fact]
    public void Mean_sd_band_refuses_runs_of_the_wrong_length_or_none()
    {
        var e = Assert.Throws<ArgumentException>(() => MeanSdBand.OverRuns("loss", [1.0, 2.0], [[1.0]]));
        Assert.Equal("runs", e.ParamName);
        Assert.Throws<ArgumentException>(() => MeanSdBand.OverRuns("loss", [1.0], []));
        Assert.Throws<ArgumentException>(() => new MeanSdBand("loss", [1.0, 2.0], [1.0, 2.0], [0.5]));
    }

    [Fact]
    public void Range_band_shades_minimum_to_maximum_around_the_mean()
    {
        Band band = new RangeBand("error", [1.0], Min: [0.1], Mean: [0.2], Max: [0.4]);
        Assert.Equal([0.1], band.Low);
        Assert.Equal([0.2], band.Mid);
        Assert.Equal([0.4], band.High);
    }
}
