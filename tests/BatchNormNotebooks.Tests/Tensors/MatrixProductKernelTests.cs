namespace BatchNormNotebooks.Tests.Foundation;

/// <summary>The register-blocked micro-kernel: every edge (rows not a multiple of 4, columns not a multiple of the
/// vector, more than one K panel, transposed strides) against a triple loop in double, for float and double.</summary>
public class MatrixProductKernelTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 60, 784, 100 }, { 784, 60, 100 }, { 60, 100, 10 }, { 5, 300, 9 }, { 7, 513, 25 }, { 3, 2, 8 }, { 9, 17, 4 },
        { 4, 1, 24 }, { 1, 1, 1 }, { 13, 64, 49 }, { 2, 0, 16 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void All_three_products_match_the_triple_loop_in_double(int m, int k, int n)
    {
        var (a, b, c0, expected) = Case(m, k, n);
        double tol = 1e-12;
        double[] c = (double[])c0.Clone();
        MatrixProduct.AddProduct<double>(a, b, m, k, n, c);
        AssertClose(expected, c, tol, "A·B");

        double[] at = new double[k * m];
        MatrixProduct.Transpose<double>(a, m, k, at);
        c = (double[])c0.Clone();
        MatrixProduct.AddProductTransposedA<double>(at, b, k, m, n, c);
        AssertClose(expected, c, tol, "Aᵀ·B");

        double[] bt = new double[n * k];
        MatrixProduct.Transpose<double>(b, k, n, bt);
        c = (double[])c0.Clone();
        MatrixProduct.AddProductTransposedB<double>(a, bt, m, k, n, c, new double[k * n]);
        AssertClose(expected, c, tol, "A·Bᵀ");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void All_three_products_match_the_triple_loop_in_float(int m, int k, int n)
    {
        var (a, b, c0, expected) = Case(m, k, n);
        float[] af = [.. a.Select(v => (float)v)], bf = [.. b.Select(v => (float)v)], c0f = [.. c0.Select(v => (float)v)];
        double tol = 1e-6 * Math.Sqrt(k + 1);
        float[] c = (float[])c0f.Clone();
        MatrixProduct.AddProduct<float>(af, bf, m, k, n, c);
        AssertClose(expected, [.. c.Select(v => (double)v)], tol, "A·B");

        float[] at = new float[k * m];
        MatrixProduct.Transpose<float>(af, m, k, at);
        c = (float[])c0f.Clone();
        MatrixProduct.AddProductTransposedA<float>(at, bf, k, m, n, c);
        AssertClose(expected, [.. c.Select(v => (double)v)], tol, "Aᵀ·B");

        float[] bt = new float[n * k];
        MatrixProduct.Transpose<float>(bf, k, n, bt);
        c = (float[])c0f.Clone();
        MatrixProduct.AddProductTransposedB<float>(af, bt, m, k, n, c);
        AssertClose(expected, [.. c.Select(v => (double)v)], tol, "A·Bᵀ");
    }

    [Fact]
    public void A_NaN_in_A_stays_in_its_own_row_even_in_the_overlapping_tail_vector()
    {
        // n = 10: columns 8, 9 go through a vector that overlaps columns 2…7; the overlap must not pick up NaN·0 etc.
        int m = 4, k = 3, n = 10;
        double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
        a[(1 * k) + 2] = double.NaN;
        b.AsSpan().Fill(1);
        MatrixProduct.AddProduct<double>(a, b, m, k, n, c);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(i == 1, double.IsNaN(c[(i * n) + j]));
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    [InlineData(7, 9)]
    [InlineData(9, 7)]
    [InlineData(16, 24)]
    [InlineData(13, 1031)]
    [InlineData(784, 100)]
    [InlineData(100, 10)]
    [InlineData(3, 40)]
    public void Transpose_puts_every_element_at_its_mirrored_place_in_float_and_double(int rows, int cols)
    {
        // float takes the 8 × 8 AVX blocks (the last of a row or column of blocks overlapping the one before) when both sides
        // are at least 8, else the tiled loop, as double does. Distinct values: a swap shows.
        float[] f = [.. Enumerable.Range(0, rows * cols).Select(q => (float)q)];
        double[] d = [.. Enumerable.Range(0, rows * cols).Select(q => (double)q)];
        float[] ft = new float[rows * cols];
        double[] dt = new double[rows * cols];
        MatrixProduct.Transpose<float>(f, rows, cols, ft);
        MatrixProduct.Transpose<double>(d, rows, cols, dt);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                Assert.True(ft[(j * rows) + i] == (i * cols) + j, $"float ({i}, {j}) of ({rows}, {cols}) landed wrong");
                Assert.True(dt[(j * rows) + i] == (i * cols) + j, $"double ({i}, {j}) of ({rows}, {cols}) landed wrong");
            }
        }
    }

    [Fact]
    public void A_transpose_buffer_of_the_wrong_length_is_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => MatrixProduct.AddProductTransposedB<double>(new double[6], new double[6], 2, 3, 2, new double[4], new double[5]));
        Assert.Equal("destination", ex.ParamName);
    }

    private static (double[] A, double[] B, double[] C0, double[] Expected) Case(int m, int k, int n) =>
        ProductCase.Random(m, k, n, (ulong)((m * 1_000_000) + (k * 1000) + n));

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        for (int q = 0; q < expected.Length; q++)
        {
            Assert.True(Math.Abs(expected[q] - actual[q]) <= tol * Math.Max(1, Math.Abs(expected[q])), $"{what} element {q}: {expected[q]:R} vs {actual[q]:R}");
        }
    }
}
