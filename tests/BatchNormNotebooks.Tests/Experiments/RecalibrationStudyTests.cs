namespace BatchNormNotebooks.Tests.Experiments;

/// <summary>The recalibration study of notebook 05, section 6.</summary>
public sealed class RecalibrationStudyTests
{
    [Fact]
    public void Exact_statistics_are_the_column_mean_and_biased_variance()
    {
        var x = Matrix<double>.FromRows([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]]);
        var (mean, variance) = RecalibrationStudy.ExactStatistics(x);
        Assert.Equal([3.0, 12.0], mean);
        Assert.Equal(8.0 / 3, variance[0], 12);   // (4 + 0 + 4) / 3
        Assert.Equal(8.0, variance[1], 12);       // (4 + 4 + 16) / 3
    }

    [Fact]
    public void Max_relative_error_takes_the_worst_feature()
    {
        Assert.Equal(0.5, RecalibrationStudy.MaxRelativeError([1.0, 3.0], [1.0, 2.0]), 12);
        Assert.Throws<ArgumentException>(() => RecalibrationStudy.MaxRelativeError([1.0], [1.0, 2.0]));
    }

    [Fact]
    public void A_run_is_reproducible_and_the_control_is_small()
    {
        var first = RecalibrationStudy.Run(2, controlOrders: 1);
        Assert.Equal(first, RecalibrationStudy.Run(2, controlOrders: 1));
        Assert.InRange(first.FrozenEmaVarianceError, 0.0, 0.15);   // batch noise of a w = 0.1 average over batches of 32
        Assert.InRange(first.AccuracyRunning, 0.9, 1.0);           // two moons at noise 0.15, a trained network
        Assert.InRange(first.AccuracyRecalibrated, 0.9, 1.0);
    }

    [Fact]
    public void Seed_1_is_the_notebooks_network()
    {
        // notebook 05 section 6 printed 97.8 % with the running statistics for this network (MakeNet(1), seed 1)
        Assert.Equal(0.978, RecalibrationStudy.Run(1, controlOrders: 1).AccuracyRunning, 3);
    }
}
