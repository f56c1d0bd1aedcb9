using System.Numerics;

namespace BatchNormNotebooks.Tests.Foundation;

/// <summary>Issue 22: the inner dimension is walked in ⌈k/256⌉ slices of equal length, each slice's partial products a
/// fused multiply-add chain from zero, added to C in slice order. A product with few rows splits those slices between
/// cores (each core reads only its rows of B); the bits must be this arithmetic's on one thread and threaded.</summary>
public class MatrixProductSlicesTests
{
    [Theory]
    [InlineData(1, new[] { 0, 1 })]
    [InlineData(256, new[] { 0, 256 })]
    [InlineData(257, new[] { 0, 128, 257 })]
    [InlineData(600, new[] { 0, 200, 400, 600 })]
    [InlineData(784, new[] { 0, 196, 392, 588, 784 })]
    public void The_slices_are_equal_in_length_and_at_most_256_rows(int k, int[] boundaries)
    {
        int slices = MatrixProduct.Slices(k);
        Assert.Equal(boundaries.Length - 1, slices);
        Assert.Equal(boundaries, Enumerable.Range(0, slices + 1).Select(s => MatrixProduct.SliceStart(s, slices, k)));
    }

    [Fact]
    public void An_empty_inner_dimension_has_no_slice() => Assert.Equal(0, MatrixProduct.Slices(0));

    public static TheoryData<int, int, int, bool> Shapes => new()
    {
        { 60, 784, 100, false }, { 60, 784, 100, true }, { 5, 600, 24, false }, { 3, 513, 17, true }, { 9, 257, 48, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_times_B_is_the_slice_by_slice_arithmetic_on_one_thread_and_threaded_in_float(int m, int k, int n, bool accumulate) =>
        AssertSliceArithmetic<float>(m, k, n, accumulate);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_times_B_is_the_slice_by_slice_arithmetic_on_one_thread_and_threaded_in_double(int m, int k, int n, bool accumulate) =>
        AssertSliceArithmetic<double>(m, k, n, accumulate);

    [Fact]
    public void The_caller_always_runs_part_0()
    {
        if (Environment.ProcessorCount < 2)
        {
            return;
        }

        int caller = Environment.CurrentManagedThreadId;
        var (a, b, _, _) = ProductCase.Random(60, 784, 100, 5);
        float[] af = [.. a.Select(v => (float)v)], bf = [.. b.Select(v => (float)v)], c = new float[60 * 100];
        using var threaded = MatrixProduct.ThreadEveryProduct();
        for (int run = 0; run < 200; run++)
        {
            MatrixProduct.Multiply<float>(af, bf, 60, 784, 100, c);   // wakes the workers, as in a training step
            Assert.True(ProductThreads.TryAcquire(2));
            int part0 = -1, part1 = -1;
            try
            {
                ProductThreads.Run(part => _ = part == 0 ? part0 = Environment.CurrentManagedThreadId : part1 = Environment.CurrentManagedThreadId, 2);
            }
            finally
            {
                ProductThreads.Release();
            }

            Assert.Equal(caller, part0);
            Assert.NotEqual(-1, part1);
        }
    }

    /// <summary>C (m, n) = [C0 +] A·B against the documented arithmetic written out with scalar fused multiply-adds.</summary>
    private static void AssertSliceArithmetic<T>(int m, int k, int n, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        var (a0, b0, c00, _) = ProductCase.Random(m, k, n, (ulong)((m * 131) + k + n));
        T[] a = [.. a0.Select(T.CreateTruncating)], b = [.. b0.Select(T.CreateTruncating)], c0 = [.. c00.Select(T.CreateTruncating)];
        T[] expected = accumulate ? (T[])c0.Clone() : new T[m * n];
        int slices = (k + 255) / 256;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int s = 0; s < slices; s++)
                {
                    T partial = T.Zero;
                    for (int p = k * s / slices; p < k * (s + 1) / slices; p++)
                    {
                        partial = T.FusedMultiplyAdd(a[(i * k) + p], b[(p * n) + j], partial);
                    }

                    expected[(i * n) + j] = accumulate || s > 0 ? expected[(i * n) + j] + partial : partial;
                }
            }
        }

        foreach (bool threads in new[] { false, true })
        {
            T[] c = (T[])c0.Clone();
            using (threads ? MatrixProduct.ThreadEveryProduct() : default(MatrixProduct.ThreadEveryProductScope?))
            using (threads ? default(ProductThreads.CallerOnlyScope?) : ProductThreads.CallerOnly())
            {
                if (accumulate)
                {
                    MatrixProduct.AddProduct<T>(a, b, m, k, n, c);
                }
                else
                {
                    MatrixProduct.Multiply<T>(a, b, m, k, n, c);
                }
            }

            Assert.True(expected.SequenceEqual(c), $"{typeof(T).Name} ({m}, {k})·({k}, {n}) {(threads ? "threaded" : "one thread")}");
        }
    }
}
