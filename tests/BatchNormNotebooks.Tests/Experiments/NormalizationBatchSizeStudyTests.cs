namespace BatchNormNotebooks.Tests.Experiments;

/// <summary>The batch norm vs layer norm study of notebook 05: fair starts, reproducible runs, clear errors.</summary>
public sealed class NormalizationBatchSizeStudyTests
{
    [Fact]
    public void Both_normalizations_start_from_the_same_linear_weights()
    {
        var bn = NormalizationBatchSizeStudy.Network(Normalization.BatchNorm, 3).Layers.OfType<Linear<double>>().ToList();
        var ln = NormalizationBatchSizeStudy.Network(Normalization.LayerNorm, 3).Layers.OfType<Linear<double>>().ToList();
        Assert.Equal(3, bn.Count);
        Assert.All(bn.Zip(ln), p => Assert.Equal(p.First.Weight.Value, p.Second.Weight.Value));
    }

    [Fact]
    public void A_run_is_reproducible_and_learns()
    {
        double first = NormalizationBatchSizeStudy.TestAccuracy(Normalization.LayerNorm, 16, 1, steps: 100);
        Assert.Equal(first, NormalizationBatchSizeStudy.TestAccuracy(Normalization.LayerNorm, 16, 1, steps: 100));
        Assert.InRange(first, 0.8, 1.0);   // two moons at noise 0.2: far above the 50 % of a coin flip
    }

    [Fact]
    public void Batch_of_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalizationBatchSizeStudy.TestAccuracy(Normalization.BatchNorm, 1, 1));
    }

    [Fact]
    public void The_learning_rate_is_used_and_checked()
    {
        double standard = NormalizationBatchSizeStudy.TestAccuracy(Normalization.BatchNorm, 8, 2, steps: 60);
        Assert.Equal(standard, NormalizationBatchSizeStudy.TestAccuracy(Normalization.BatchNorm, 8, 2, steps: 60, learningRate: 0.05));
        Assert.NotEqual(standard, NormalizationBatchSizeStudy.TestAccuracy(Normalization.BatchNorm, 8, 2, steps: 60, learningRate: 0.005));
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalizationBatchSizeStudy.TestAccuracy(Normalization.BatchNorm, 8, 2, learningRate: 0));
    }
}
