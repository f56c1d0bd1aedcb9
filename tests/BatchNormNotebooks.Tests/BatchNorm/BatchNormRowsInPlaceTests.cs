namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>The element-wise row passes (normalise, eval affine, the dx pass) may write over their input (x and y, or dy
/// and dx, one array): the last vector of a row overlaps the one before it, and its lanes before the row's tail must
/// keep what was stored there, not be computed again from an input already overwritten. In place and out of place give
/// the same bits, at widths with and without a tail, in blocks of rows and past them.</summary>
public class BatchNormRowsInPlaceTests
{
    public static TheoryData<int, int> Shapes => new() { { 60, 100 }, { 5, 16 }, { 70, 17 }, { 33, 33 }, { 3, 47 }, { 40, 96 }, { 2, 9 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Normalize_affine_and_backward_give_the_same_bits_in_place(int rows, int n)
    {
        var random = new SeededRandom((ulong)((rows * 101) + n));
        float[] Vector(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)random.NextNormal())];
        float[] x = Vector(rows * n), dy = Vector(rows * n), mean = Vector(n), scale = Vector(n), shift = Vector(n), slope = Vector(n);

        var expected = new float[rows * n];
        var inPlace = (float[])x.Clone();
        BatchNormRows.Normalize<float>(x, n, 0, rows, mean, scale, shift, expected);
        BatchNormRows.Normalize<float>(inPlace, n, 0, rows, mean, scale, shift, inPlace);
        Assert.Equal(expected, inPlace);

        inPlace = (float[])x.Clone();
        BatchNormRows.Affine<float>(x, n, 0, rows, scale, shift, expected);
        BatchNormRows.Affine<float>(inPlace, n, 0, rows, scale, shift, inPlace);
        Assert.Equal(expected, inPlace);

        inPlace = (float[])dy.Clone();
        BatchNormRows.Backward<float>(dy, x, n, 0, rows, mean, scale, shift, slope, expected);
        BatchNormRows.Backward<float>(inPlace, x, n, 0, rows, mean, scale, shift, slope, inPlace);
        Assert.Equal(expected, inPlace);

        // And each element is the formula's (a product, then sums, in the order of the scalar loop).
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int o = (i * n) + j;
                Assert.Equal((scale[j] * dy[o]) + shift[j] - (slope[j] * (x[o] - mean[j])), expected[o]);
            }
        }
    }
}
