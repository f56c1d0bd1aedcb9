namespace BatchNormNotebooks.Tests.Tensors;

public class MatrixTests
{
    [Fact]
    public void Constructor_rejects_data_of_the_wrong_length()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Matrix<double>(2, 3, new double[5]));
        Assert.Contains("(2, 3)", ex.Message);
    }

    [Fact]
    public void ToString_shows_shape_and_values()
    {
        var m = Matrix<double>.FromRows([[10, 12], [6, 8]]);
        string s = m.ToString();
        Assert.Contains("(2, 2)", s);
        Assert.Contains("12", s);
    }

    [Theory]
    [InlineData(2, 0, "i")]
    [InlineData(-1, 0, "i")]
    [InlineData(0, 3, "j")]
    [InlineData(1, -1, "j")]
    public void Indexer_out_of_range_names_the_shape_and_the_index(int i, int j, string argument)
    {
        var m = new Matrix<double>(2, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => m[i, j]);
        Assert.Equal(argument, ex.ParamName);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains($"({i}, {j})", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => m[i, j] = 1);
        Assert.Contains("(2, 3)", ex.Message);
    }

    [Fact]
    public void Row_and_column_out_of_range_name_the_shape()
    {
        var m = new Matrix<double>(2, 3);
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(2)).Message);
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => m.Column(3)).Message);
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => m.GatherRows([0, 5])).Message);
    }
}
