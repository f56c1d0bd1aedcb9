namespace BatchNormNotebooks.Tests.Foundation;

public class MatrixProductTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(60, 784, 100)]
    [InlineData(7, 5, 13)]
    [InlineData(4, 9, 33)]
    public void Products_match_the_triple_loop(int m, int k, int n)
    {
        var (a, b, c0, expected) = ProductCase.Random(m, k, n, (ulong)(m * 10000 + k * 100 + n));

        double[] c = (double[])c0.Clone();
        MatrixProduct.AddProduct<double>(a, b, m, k, n, c);
        AssertClose(expected, c);

        double[] bt = new double[n * k];
        MatrixProduct.Transpose<double>(b, k, n, bt);
        c = (double[])c0.Clone();
        MatrixProduct.AddProductTransposedB<double>(a, bt, m, k, n, c);
        AssertClose(expected, c);

        double[] at = new double[k * m];
        MatrixProduct.Transpose<double>(a, m, k, at);
        c = (double[])c0.Clone();
        MatrixProduct.AddProductTransposedA<double>(at, b, k, m, n, c);
        AssertClose(expected, c);

        float[] cf = [.. c0.Select(v => (float)v)];
        MatrixProduct.AddProduct<float>([.. a.Select(v => (float)v)], [.. b.Select(v => (float)v)], m, k, n, cf);
        for (int q = 0; q < cf.Length; q++)
        {
            Assert.True(Math.Abs(cf[q] - expected[q]) <= 1e-5 * Math.Sqrt(k) * Math.Max(1, Math.Abs(expected[q])), $"float32 element {q}");
        }
    }

    [Fact]
    public void Wrong_lengths_are_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => MatrixProduct.AddProduct<double>(new double[6], new double[5], 2, 3, 2, new double[4]));
        Assert.Contains("(3, 2)", ex.Message);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        for (int q = 0; q < expected.Length; q++)
        {
            Assert.True(Math.Abs(expected[q] - actual[q]) <= 1e-12 * Math.Max(1, Math.Abs(expected[q])), $"element {q}: {expected[q]:R} vs {actual[q]:R}");
        }
    }
}
