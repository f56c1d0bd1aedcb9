using System.Numerics;

namespace BatchNormNotebooks.Tests.Foundation;

/// <summary>Runs alone: it switches the process-wide choice of micro-kernel block.</summary>
[CollectionDefinition(nameof(MicroKernelBlockCollection), DisableParallelization = true)]
public sealed class MicroKernelBlockCollection;

/// <summary>The 8-row block (AVX-512VL's 32 registers) and the 4-row block give every product kind the same bits:
/// each element of C is the same chain of fused multiply-adds whichever block computes it. Shapes with 8-row blocks,
/// leftover 4-row blocks and single rows, deep (packed) and shallow products, column tails.</summary>
[Collection(nameof(MicroKernelBlockCollection))]
public class MatrixProductBlockTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 8, 1, 24 }, { 9, 3, 24 }, { 13, 1031, 9 }, { 17, 257, 33 }, { 60, 784, 100 }, { 784, 60, 100 },
        { 60, 100, 784 }, { 61, 129, 47 }, { 15, 300, 72 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_eight_row_block_gives_the_same_bits_as_the_four_row_block_in_float(int m, int k, int n)
    {
        var (a, b, c0, _) = ProductCase.Random(m, k, n, (ulong)((m * 131) + (k * 17) + n));
        AssertSameBits([.. a.Select(v => (float)v)], [.. b.Select(v => (float)v)], [.. c0.Select(v => (float)v)], m, k, n);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_eight_row_block_gives_the_same_bits_as_the_four_row_block_in_double(int m, int k, int n)
    {
        var (a, b, c0, _) = ProductCase.Random(m, k, n, (ulong)((m * 131) + (k * 17) + n));
        AssertSameBits(a, b, c0, m, k, n);
    }

    private static void AssertSameBits<T>(T[] a, T[] b, T[] c0, int m, int k, int n) where T : IFloatingPointIeee754<T>
    {
        T[] at = new T[k * m], bt = new T[n * k];
        MatrixProduct.Transpose<T>(a, m, k, at);
        MatrixProduct.Transpose<T>(b, k, n, bt);
        bool original = MatrixProduct.WideBlocks;
        try
        {
            MatrixProduct.WideBlocks = false;
            var narrow = MatrixProductThreadsTests.Run(a, b, c0, at, bt, m, k, n, threaded: false);
            MatrixProduct.WideBlocks = true;
            var wide = MatrixProductThreadsTests.Run(a, b, c0, at, bt, m, k, n, threaded: false);
            for (int kind = 0; kind < narrow.Length; kind++)
            {
                Assert.True(narrow[kind].AsSpan().SequenceEqual(wide[kind]), $"product kind {kind} of ({m}, {k}, {n}) differs with 8-row blocks");
            }
        }
        finally
        {
            MatrixProduct.WideBlocks = original;
        }
    }
}
