using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace BatchNormNotebooks;

/// <summary>How a large product is split between cores.</summary>
/// <remarks>The output C is cut into disjoint blocks of rows (or, for products with few rows, of column panels: whole
/// 512-bit panels of 48 floats where each part gets one, else 24-column ones); each thread computes its block with the
/// same micro-kernel over the whole inner dimension. A product with fewer than 128 rows whose inner dimension has two
/// slices or more (the MNIST MLP's x·W₁, (60, 784)·(784, 100)) splits the slices instead, each core reading only its
/// own rows of B (<see cref="SplitSlices{T}"/>): with W₁'s halves also split that way by xᵀ·dy and the SGD update,
/// a weight row stays in one core's cache through the whole step (measured in the MLP's step: the first layer's forward
/// 64.5 → 46.5 µs and the SGD update 23.7 → 12.5 µs, against the rows split, where both cores read all of W₁). Every
/// element of C is the same chain of fused multiply-adds, in the same order, as on one thread, so a threaded product
/// gives the same bits (tested over awkward shapes). Products
/// below <see cref="ParallelThreshold"/> multiply-adds stay on the caller's thread: waking a worker costs more than it
/// saves there.</remarks>
public static partial class MatrixProduct
{
    /// <summary>Products with at least this many multiply-adds (m·k·n) split their output between cores.</summary>
    /// <remarks>2^20 since 2026-12-05 (2^18 before). On an AMD Zen 5 machine the MNIST MLP's middle products, 600,000
    /// multiply-adds each, were slower split than whole, as each core then read the weights the other had just written:
    /// with these and the middle layers' gradients (<see cref="GradientsSideBySideThreshold"/>) on the caller's core,
    /// the public-API step went from 166–172 to 134–141 µs in an interleaved comparison.</remarks>
    public const long ParallelThreshold = 1L << 20;

    [ThreadStatic]
    private static bool t_threadEveryProduct;

    /// <summary>For tests, on this thread until disposed: every product with at least two rows or panels per thread is
    /// split (no size threshold), waiting for the workers if another product holds them.</summary>
    internal static ThreadEveryProductScope ThreadEveryProduct()
    {
        t_threadEveryProduct = true;
        ProductThreads.WaitForWorkers = true;
        return default;
    }

    /// <summary>C (m, nCols; row stride n) = or += A·B, on as many threads as the product's size warrants.</summary>
    private static unsafe void Split<T>(ref T a, nint ars, nint acs, ref T b, int n, ref T c, int m, int k, int nCols, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        int threads = ProductThreads.Available;
        if (threads < 2 || ((long)m * k * nCols < ParallelThreshold && !t_threadEveryProduct))
        {
            Gemm(ref a, ars, acs, ref b, n, ref c, m, k, nCols, accumulate);
            return;
        }

        int slices = Slices(k);
        if (m < FreshOperandSplitRows && slices >= 2)
        {
            SplitSlices(ref a, ars, acs, ref b, n, ref c, m, k, nCols, accumulate, Math.Min(threads, slices));
            return;
        }

        // Column parts hold whole 512-bit panels when each part can have one; 256-bit panels otherwise (same bits).
        int panel = Wide512 && nCols >= threads * 3 * Vector512<T>.Count ? 3 * Vector512<T>.Count : 3 * Vector256<T>.Count;
        bool byRows = m >= 2 * RowBlock * threads;
        int parts = byRows ? threads : Math.Min(threads, nCols / panel);
        if (parts < 2)
        {
            Gemm(ref a, ars, acs, ref b, n, ref c, m, k, nCols, accumulate);
            return;
        }

        if (!ProductThreads.TryAcquire(parts))
        {
            Gemm(ref a, ars, acs, ref b, n, ref c, m, k, nCols, accumulate);
            return;
        }

        try
        {
            // The caller waits inside Run, so the pinned addresses stay valid for every part.
            fixed (byte* pa = &Unsafe.As<T, byte>(ref a), pb = &Unsafe.As<T, byte>(ref b), pc = &Unsafe.As<T, byte>(ref c))
            {
                GemmJob<T>.Set(pa, pb, pc, ars, acs, n, m, k, nCols, accumulate, parts);
                GemmJob<T>.ByRows = byRows;
                GemmJob<T>.Panel = panel;
                ProductThreads.Run(GemmJob<T>.Run, parts);
            }
        }
        finally
        {
            ProductThreads.Release();
        }
    }

    /// <summary>C = or += A·B with B's slices (its rows, the inner dimension) split between cores: part 0 (the caller)
    /// adds the first group of slices into C, every other part computes each of its slices into its own scratch block,
    /// and the caller then adds those blocks to C in slice order: every element is the same sums in the same order as
    /// on one thread. Each core reads only its own rows of B (a weight matrix whose rows its optimizer step and its
    /// part of xᵀ·dy also own), and A and C are small (few rows).</summary>
    private static unsafe void SplitSlices<T>(ref T a, nint ars, nint acs, ref T b, int n, ref T c, int m, int k, int nCols, bool accumulate, int parts)
        where T : IFloatingPointIeee754<T>
    {
        int slices = Slices(k);
        int first = SlicesOf(1, parts, slices);
        int block = m * n;
        if (!ProductThreads.TryAcquire(parts))
        {
            Gemm(ref a, ars, acs, ref b, n, ref c, m, k, nCols, accumulate);
            return;
        }

        T[] scratch = ArrayPool<T>.Shared.Rent((slices - first) * block);
        try
        {
            // The caller waits inside Run, so the pinned addresses stay valid for every part.
            fixed (byte* pa = &Unsafe.As<T, byte>(ref a), pb = &Unsafe.As<T, byte>(ref b), pc = &Unsafe.As<T, byte>(ref c), ps = &Unsafe.As<T, byte>(ref scratch[0]))
            {
                GemmJob<T>.Set(pa, pb, pc, ars, acs, n, m, k, nCols, accumulate, parts);
                GemmJob<T>.Scratch = ps;
                GemmJob<T>.BySlices = true;
                ProductThreads.Run(GemmJob<T>.Run, parts);
            }

            for (int s = first; s < slices; s++)
            {
                // C[i, j] += S[i, j], one rounded addition each, as the micro-kernel adds a slice: in one pass when C's rows
                // are contiguous (nCols = n, e.g. x·W₁), else row by row (row stride n)
                if (nCols == n)
                {
                    var whole = MemoryMarshal.CreateSpan(ref c, block);
                    Elementwise.Add<T>(whole, scratch.AsSpan((s - first) * block, block), whole);
                    continue;
                }

                for (int i = 0; i < m; i++)
                {
                    var ci = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (nint)i * n), nCols);
                    Elementwise.Add<T>(ci, scratch.AsSpan(((s - first) * block) + (i * n), nCols), ci);
                }
            }
        }
        finally
        {
            GemmJob<T>.BySlices = false;
            ProductThreads.Release();
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>The first slice of part <paramref name="part"/> when <paramref name="slices"/> are shared by
    /// <paramref name="parts"/>.</summary>
    private static int SlicesOf(int part, int parts, int slices) => slices * part / parts;

    /// <summary>First row (multiple of the 4-row block, last part to m) or first column (multiple of the column
    /// panel, last part to nCols) of part <paramref name="part"/>.</summary>
    internal static int PartStart(int part, int parts, int length, int align) =>
        part >= parts ? length : (int)((long)length * part / parts / align * align);

    /// <summary>Ends a <see cref="ThreadEveryProduct"/> scope.</summary>
    internal readonly struct ThreadEveryProductScope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose()
        {
            t_threadEveryProduct = false;
            ProductThreads.WaitForWorkers = false;
        }
    }

    /// <summary>The product being split: written by the caller before the hand-off, read by every part.</summary>
    private static unsafe class GemmJob<T> where T : IFloatingPointIeee754<T>
    {
        public static readonly Action<int> Run = RunPart;
        public static byte* A, B, C, Scratch;
        public static nint Ars, Acs;
        public static int N, M, K, Cols, Parts, Panel;
        public static bool Accumulate, ByRows, BySlices;

        /// <summary>The product's operands and shape (the split's own fields are set by the caller after it).</summary>
        public static void Set(byte* a, byte* b, byte* c, nint ars, nint acs, int n, int m, int k, int cols, bool accumulate, int parts)
        {
            A = a;
            B = b;
            C = c;
            Ars = ars;
            Acs = acs;
            N = n;
            M = m;
            K = k;
            Cols = cols;
            Accumulate = accumulate;
            Parts = parts;
        }

        private static void RunPart(int part)
        {
            ref T a = ref Unsafe.AsRef<T>(A);
            ref T b = ref Unsafe.AsRef<T>(B);
            ref T c = ref Unsafe.AsRef<T>(C);
            if (BySlices)
            {
                int slices = Slices(K), s0 = SlicesOf(part, Parts, slices), s1 = SlicesOf(part + 1, Parts, slices);
                if (part == 0)
                {
                    GemmSlices(ref a, Ars, Acs, ref b, N, ref c, M, K, Cols, Accumulate, s0, s1);
                    return;
                }

                ref T scratch = ref Unsafe.AsRef<T>(Scratch);
                int first = SlicesOf(1, Parts, slices);
                for (int s = s0; s < s1; s++)
                {
                    GemmSlices(ref a, Ars, Acs, ref b, N, ref Unsafe.Add(ref scratch, (nint)(s - first) * M * N), M, K, Cols, false, s, s + 1);
                }
            }
            else if (ByRows)
            {
                int i0 = PartStart(part, Parts, M, RowBlock), i1 = PartStart(part + 1, Parts, M, RowBlock);
                Gemm(ref Unsafe.Add(ref a, i0 * Ars), Ars, Acs, ref b, N, ref Unsafe.Add(ref c, (nint)i0 * N), i1 - i0, K, Cols, Accumulate);
            }
            else
            {
                int j0 = PartStart(part, Parts, Cols, Panel), j1 = PartStart(part + 1, Parts, Cols, Panel);
                Gemm(ref a, Ars, Acs, ref Unsafe.Add(ref b, j0), N, ref Unsafe.Add(ref c, j0), M, K, j1 - j0, Accumulate);
            }
        }
    }
}
