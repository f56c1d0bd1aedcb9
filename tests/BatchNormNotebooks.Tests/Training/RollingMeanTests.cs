namespace BatchNormNotebooks.Tests.Training;

/// <summary>The trailing rolling mean: expected values worked out by hand.</summary>
public class RollingMeanTests
{
    [Fact]
    public void Each_element_is_the_mean_of_the_last_window_values_fewer_at_the_start()
    {
        // window 3 over 1, 2, 6, 4, 8: 1, (1+2)/2, (1+2+6)/3, (2+6+4)/3, (6+4+8)/3
        Assert.Equal([1.0, 1.5, 3.0, 4.0, 6.0], RollingMean.Of([1.0, 2, 6, 4, 8], window: 3));
    }

    [Fact]
    public void A_window_of_one_copies_and_a_window_longer_than_the_curve_gives_running_means()
    {
        Assert.Equal([5.0, -1.0], RollingMean.Of([5.0, -1], window: 1));
        Assert.Equal([2.0, 3.0, 4.0], RollingMean.Of([2.0, 4, 6], window: 10));
    }

    [Fact]
    public void A_window_below_one_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RollingMean.Of([1.0], window: 0));
        Assert.Equal("window", e.ParamName);
    }
}
