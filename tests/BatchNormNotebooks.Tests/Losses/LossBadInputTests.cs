namespace BatchNormNotebooks.Tests.Losses;

/// <summary>Bad targets give an <see cref="ArgumentException"/> on <c>target</c> whose message names the row and the value.</summary>
public class LossBadInputTests
{
    private static readonly Matrix<double> s_logits = Matrix<double>.FromRows([[1.0, 2, 3], [0, 0, 0], [-1, 5, 2], [4, 4, 4]]);

    [Theory]
    [InlineData(3.0, "3")]
    [InlineData(-1.0, "-1")]
    [InlineData(1.5, "1.5")]
    [InlineData(double.NaN, "NaN")]
    public void Softmax_cross_entropy_names_the_row_of_a_bad_class_index(double bad, string shown)
    {
        var target = new Matrix<double>(4, 1, [0, 2, bad, 1]);
        var ex = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy<double>().Forward(s_logits, target));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("row 2", ex.Message);
        Assert.Contains(shown, ex.Message);
        Assert.Contains("0…2", ex.Message);
    }

    [Fact]
    public void Softmax_cross_entropy_with_targets_of_the_wrong_shape_names_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy<double>().Forward(s_logits, new Matrix<double>(3, 1)));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("(3, 1)", ex.Message);
        Assert.Contains("(4, 3)", ex.Message);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.25)]
    [InlineData(double.NaN)]
    public void Binary_cross_entropy_names_the_row_of_a_target_outside_zero_one(double bad)
    {
        var p = new Matrix<double>(3, 1, [0.2, 0.5, 0.9]);
        var target = new Matrix<double>(3, 1, [1, bad, 0]);
        var ex = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropy<double>().Forward(p, target));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("row 1", ex.Message);
        Assert.Contains("[0, 1]", ex.Message);
    }

    [Fact]
    public void Binary_cross_entropy_names_the_row_of_a_probability_outside_zero_one()
    {
        var p = new Matrix<double>(3, 1, [0.2, 0.5, 1.5]);
        var ex = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropy<double>().Forward(p, new Matrix<double>(3, 1)));
        Assert.Equal("output", ex.ParamName);
        Assert.Contains("row 2", ex.Message);
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(2, 4)]
    [InlineData(8, 1)]
    public void Mean_squared_error_with_another_shape_names_both_shapes(int rows, int cols)
    {
        var output = new Matrix<double>(4, 2);
        var ex = Assert.Throws<ArgumentException>(() => new MeanSquaredError<double>().Forward(output, new Matrix<double>(rows, cols)));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("(4, 2)", ex.Message);
        Assert.Contains($"({rows}, {cols})", ex.Message);
    }

    [Fact]
    public void Null_target_is_named_target()
    {
        var output = new Matrix<double>(4, 2);
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => new MeanSquaredError<double>().Forward(output, null!)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => new BinaryCrossEntropy<double>().Forward(output, null!)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => new SoftmaxCrossEntropy<double>().Forward(output, null!)).ParamName);
    }
}
