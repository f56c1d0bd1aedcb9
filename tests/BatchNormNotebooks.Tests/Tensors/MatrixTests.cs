namespace BatchNormNotebooks.Tests;

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

    [Fact]
    public void SeededRandom_gives_the_same_numbers_for_the_same_seed_and_different_for_another()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        var c = new SeededRandom(43);
        double[] xa = [.. Enumerable.Range(0, 5).Select(_ => a.NextNormal())];
        double[] xb = [.. Enumerable.Range(0, 5).Select(_ => b.NextNormal())];
        double[] xc = [.. Enumerable.Range(0, 5).Select(_ => c.NextNormal())];
        Assert.Equal(xa, xb);
        Assert.NotEqual(xa, xc);
    }
}
