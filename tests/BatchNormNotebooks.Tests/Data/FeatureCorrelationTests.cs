namespace BatchNormNotebooks.Tests.Data;

/// <summary>Pearson correlation of two feature columns, against values worked out by hand.</summary>
public class FeatureCorrelationTests
{
    private static Dataset<double> Data(params double[][] rows) =>
        new("d", Matrix<double>.FromRows(rows), new Matrix<double>(rows.Length, 1), [.. Enumerable.Range(0, rows[0].Length).Select(j => $"f{j}")]);

    [Fact]
    public void A_rising_line_is_1_and_a_falling_line_is_minus_1()
    {
        Assert.Equal(1, FeatureCorrelation.Of(Data([1, 3], [2, 5], [4, 9])), 12);
        Assert.Equal(-1, FeatureCorrelation.Of(Data([1, 3], [2, 1], [3, -1])), 12);
    }

    [Fact]
    public void A_hand_worked_example()
    {
        // a = (1, 2, 3, 4), b = (2, 1, 4, 3): deviations (−1.5, −0.5, 0.5, 1.5) and (−0.5, −1.5, 1.5, 0.5);
        // cross sum 0.75 + 0.75 + 0.75 + 0.75 = 3, squares 5 and 5: r = 3/5 = 0.6.
        Assert.Equal(0.6, FeatureCorrelation.Of(Data([1, 2], [2, 1], [3, 4], [4, 3])), 12);
    }

    [Fact]
    public void Picks_the_columns_asked_for()
    {
        // Column 2 is column 0 reversed: r(0, 2) = −1; r(0, 1) = 0.6 as above.
        var d = Data([1, 2, 4], [2, 1, 3], [3, 4, 2], [4, 3, 1]);
        Assert.Equal(-1, FeatureCorrelation.Of(d, 0, 2), 12);
        Assert.Equal(0.6, FeatureCorrelation.Of(d, 1, 0), 12);
    }

    [Fact]
    public void Bad_input_throws()
    {
        Assert.Throws<ArgumentException>(() => FeatureCorrelation.Of(Data([1, 5], [2, 5], [3, 5])));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatureCorrelation.Of(Data([1, 2], [3, 4]), 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatureCorrelation.Of(Data([1, 2])));
    }
}
