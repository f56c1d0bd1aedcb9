using System.Numerics;

namespace BatchNormNotebooks.Tests.Foundation;

/// <summary>Runs alone: it switches the process-wide choice of micro-kernel block.</summary>
[CollectionDefinition(nameof(MicroKernelBlockCollection), DisableParallelization = true)]
public sealed class MicroKernelBlockCollection;

/// <summary>The 8-row block (AVX-512's 32 registers), the 4-row block and the 512-bit panels give every product kind the
/// same bits as 4-row blocks of 256-bit vectors: each element of C is the same chain of fused multiply-adds whichever
/// block and width compute it. Shapes with 8-row blocks, leftover 4-row blocks and single rows, deep (packed) and
/// shallow products, several slices of B, 512-bit panels followed by 256-bit panels, single vectors and column tails, the
/// columns after the panels down the rows (Aᵀ·B) or across them; each setting also threaded (rows or column panels
/// split between cores, every product forced to split).</summary>
[Collection(nameof(MicroKernelBlockCollection))]
public class MatrixProductBlockTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 8, 1, 24 }, { 9, 3, 24 }, { 13, 1031, 9 }, { 17, 257, 33 }, { 60, 784, 100 }, { 784, 60, 100 },
        { 60, 100, 784 }, { 61, 129, 47 }, { 15, 300, 72 }, { 9, 3, 48 }, { 17, 257, 97 }, { 3, 5, 53 },
        { 12, 130, 80 }, { 13, 300, 83 }, { 4, 513, 112 }, { 1, 300, 1031 }, { 9, 257, 48 }, { 2, 300, 120 },
        { 20, 12, 100 }, { 30, 40, 10 }, { 60, 100, 100 }, { 7, 17, 11 }, { 5, 6, 7 }, { 19, 23, 102 }, { 33, 7, 51 },
        { 60, 10, 100 }, { 16, 9, 4 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_block_and_width_gives_the_same_bits_as_four_rows_of_256_bit_vectors_in_float(int m, int k, int n)
    {
        var (a, b, c0, _) = ProductCase.Random(m, k, n, (ulong)((m * 131) + (k * 17) + n));
        AssertSameBits([.. a.Select(v => (float)v)], [.. b.Select(v => (float)v)], [.. c0.Select(v => (float)v)], m, k, n);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_block_and_width_gives_the_same_bits_as_four_rows_of_256_bit_vectors_in_double(int m, int k, int n)
    {
        var (a, b, c0, _) = ProductCase.Random(m, k, n, (ulong)((m * 131) + (k * 17) + n));
        AssertSameBits(a, b, c0, m, k, n);
    }

    private static void AssertSameBits<T>(T[] a, T[] b, T[] c0, int m, int k, int n) where T : IFloatingPointIeee754<T>
    {
        T[] at = new T[k * m], bt = new T[n * k];
        MatrixProduct.Transpose<T>(a, m, k, at);
        MatrixProduct.Transpose<T>(b, k, n, bt);
        bool originalBlocks = MatrixProduct.WideBlocks, originalWidth = MatrixProduct.Wide512, originalTail = MatrixProduct.TailDown, originalQuads = MatrixProduct.TailQuads;
        try
        {
            MatrixProduct.WideBlocks = false;
            MatrixProduct.Wide512 = false;
            MatrixProduct.TailDown = false;
            MatrixProduct.TailQuads = false;
            var narrow = MatrixProductThreadsTests.Run(a, b, c0, at, bt, m, k, n, threaded: false);
            (bool, bool, bool, bool, bool)[] settings =
            [
                (false, false, true, false, false), (true, false, false, false, false), (false, true, false, false, false), (true, true, false, false, false),
                (true, true, true, false, false), (false, true, true, false, false), (false, false, false, true, false), (false, false, true, true, false),
                (true, true, false, true, false), (true, true, true, true, false), (false, true, true, true, false),
                (false, true, false, false, true), (true, true, false, false, true), (true, true, true, false, true), (true, true, false, true, true),
                (true, true, true, true, true), (false, true, true, true, true),
            ];
            foreach (var (wideBlocks, wide512, threaded, tailDown, tailQuads) in settings)
            {
                MatrixProduct.WideBlocks = wideBlocks;
                MatrixProduct.Wide512 = wide512;
                MatrixProduct.TailDown = tailDown;
                MatrixProduct.TailQuads = tailQuads;
                var other = MatrixProductThreadsTests.Run(a, b, c0, at, bt, m, k, n, threaded);
                for (int kind = 0; kind < narrow.Length; kind++)
                {
                    Assert.True(narrow[kind].AsSpan().SequenceEqual(other[kind]), $"product kind {kind} of ({m}, {k}, {n}) differs with 8-row blocks {wideBlocks}, 512-bit panels {wide512}, threaded {threaded}, tail down the rows {tailDown}, tail in quads {tailQuads}");
                }
            }
        }
        finally
        {
            MatrixProduct.WideBlocks = originalBlocks;
            MatrixProduct.Wide512 = originalWidth;
            MatrixProduct.TailDown = originalTail;
            MatrixProduct.TailQuads = originalQuads;
        }
    }
}
