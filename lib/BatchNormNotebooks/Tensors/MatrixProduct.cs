using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BatchNormNotebooks;

/// <summary>
/// The matrix products behind <see cref="Linear{T}"/>: C += A·B for row-major matrices, plus transposes, so that
/// forward (x·W), the input gradient (dy·Wᵀ) and the weight gradient (xᵀ·dy) all run the same SIMD micro-kernel.
/// </summary>
/// <remarks>
/// With 256-bit vectors (AVX2 + FMA here; float and double) the micro-kernel keeps a 4-row × 3-vector block of C
/// (4 × 24 floats) in twelve registers and, for each p of the inner dimension, loads three vectors of row p of B,
/// broadcasts four entries of A and issues twelve fused multiply-adds; B is walked in panels of
/// <see cref="KBlock"/> rows so a panel stays in L1 while the row blocks of A pass over it. Columns that do not fill
/// a vector use one overlapping vector whose foreign lanes are discarded. Aᵀ·B reads A with swapped strides
/// (no transpose); A·Bᵀ transposes B (float: 8 × 8 AVX blocks) into a pooled or caller-given buffer. Products of
/// <see cref="ParallelThreshold"/> multiply-adds and more split their output rows (or 24-column panels) between cores,
/// with the same bits as on one thread (MatrixProduct.Threads.cs); A·Bᵀ with fewer than 128 rows of A stays on one thread
/// (its freshly transposed B would have to cross cores). Other element types, or machines without 256-bit
/// vectors, use a <see cref="Vector{T}"/> axpy loop on one thread. No allocation in steady state.
/// </remarks>
public static partial class MatrixProduct
{
    /// <summary>Rows of B per panel of the micro-kernel (256 rows × 24 floats = 24 KiB, inside L1).</summary>
    public const int KBlock = 256;

    private const int RowBlock = 4;

    /// <summary>Deeper products than this copy each panel of B into a contiguous buffer.</summary>
    private const int PackDepth = 128;

    /// <summary>A·Bᵀ splits between cores only with at least this many rows of A. Bᵀ has just been written by the
    /// caller's core, and a worker that reads it pulls every cache line across (measured at (60, 100)·(100, 100):
    /// 35 µs on two threads against 20 µs on one); with fewer rows the second core's share of the work does not pay
    /// for that transfer.</summary>
    private const int FreshOperandSplitRows = 128;

    /// <summary>C += A·B. A has shape (m, k), B (k, n), C (m, n), all row-major.</summary>
    /// <remarks>Effectively computes c[i, j] += Σ_p a[i, p]·b[p, j].</remarks>
    public static void AddProduct<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        Check(a.Length, m, k, "A");
        Check(b.Length, k, n, "B");
        Check(c.Length, m, n, "C");
        if (UseMicroKernel<T>(n))
        {
            Split(ref MemoryMarshal.GetReference(a), k, 1, ref MemoryMarshal.GetReference(b), n, ref MemoryMarshal.GetReference(c), m, k, n, accumulate: true);
            return;
        }

        AxpyProduct(a, b, m, k, n, c);
    }

    /// <summary>C = A·B (C overwritten, no need to clear it first). Shapes as <see cref="AddProduct{T}"/>.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        Check(a.Length, m, k, "A");
        Check(b.Length, k, n, "B");
        Check(c.Length, m, n, "C");
        if (UseMicroKernel<T>(n) && k > 0)
        {
            Split(ref MemoryMarshal.GetReference(a), k, 1, ref MemoryMarshal.GetReference(b), n, ref MemoryMarshal.GetReference(c), m, k, n, accumulate: false);
            return;
        }

        c.Clear();
        AddProduct(a, b, m, k, n, c);
    }

    /// <summary>C = Aᵀ·B (C overwritten). A has shape (m, k), B (m, n), C (k, n): the weight gradient xᵀ·dy.</summary>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        Check(a.Length, m, k, "A");
        Check(b.Length, m, n, "B");
        Check(c.Length, k, n, "C");
        if (UseMicroKernel<T>(n) && m > 0)
        {
            Split(ref MemoryMarshal.GetReference(a), 1, k, ref MemoryMarshal.GetReference(b), n, ref MemoryMarshal.GetReference(c), k, m, n, accumulate: false);
            return;
        }

        c.Clear();
        AddProductTransposedA(a, b, m, k, n, c);
    }

    /// <summary>C = A·Bᵀ (C overwritten) with a caller-owned buffer of k·n elements for Bᵀ. A (m, k), B (n, k), C (m, n):
    /// the input gradient dy·Wᵀ.</summary>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c, Span<T> transposeBuffer)
        where T : IFloatingPointIeee754<T>
    {
        Check(b.Length, n, k, "B");
        Transpose(b, n, k, transposeBuffer);
        if (m < FreshOperandSplitRows)
        {
            using var callerOnly = ProductThreads.CallerOnly();
            Multiply(a, transposeBuffer, m, k, n, c);
            return;
        }

        Multiply(a, transposeBuffer, m, k, n, c);
    }

    /// <summary>C += A·Bᵀ. A has shape (m, k), B (n, k), C (m, n). Transposes B into a pooled buffer.</summary>
    public static void AddProductTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        T[] bt = ArrayPool<T>.Shared.Rent(k * n);
        try
        {
            AddProductTransposedB(a, b, m, k, n, c, bt.AsSpan(0, k * n));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bt);
        }
    }

    /// <summary>C += A·Bᵀ with a caller-owned buffer for Bᵀ. A has shape (m, k), B (n, k), C (m, n),
    /// <paramref name="transposeBuffer"/> k·n elements (overwritten).</summary>
    public static void AddProductTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c, Span<T> transposeBuffer)
        where T : IFloatingPointIeee754<T>
    {
        Check(b.Length, n, k, "B");
        Transpose(b, n, k, transposeBuffer);
        if (m < FreshOperandSplitRows)
        {
            using var callerOnly = ProductThreads.CallerOnly();
            AddProduct(a, transposeBuffer, m, k, n, c);
            return;
        }

        AddProduct(a, transposeBuffer, m, k, n, c);
    }

    /// <summary>C += Aᵀ·B. A has shape (m, k), B (m, n), C (k, n).</summary>
    /// <remarks>Effectively computes c[i, j] += Σ_p a[p, i]·b[p, j]; A is read in place with swapped strides.</remarks>
    public static void AddProductTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        Check(a.Length, m, k, "A");
        Check(b.Length, m, n, "B");
        Check(c.Length, k, n, "C");
        if (UseMicroKernel<T>(n))
        {
            // Aᵀ has shape (k, m): element (i, p) of Aᵀ is a[p·k + i], row stride 1, column stride k.
            Split(ref MemoryMarshal.GetReference(a), 1, k, ref MemoryMarshal.GetReference(b), n, ref MemoryMarshal.GetReference(c), k, m, n, accumulate: true);
            return;
        }

        T[] at = ArrayPool<T>.Shared.Rent(k * m);
        try
        {
            Transpose(a, m, k, at.AsSpan(0, k * m));
            AxpyProduct(at.AsSpan(0, k * m), b, k, m, n, c);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(at);
        }
    }

    /// <summary>destination (cols, rows) = sourceᵀ, source of shape (rows, cols).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose<T>(ReadOnlySpan<T> source, int rows, int cols, Span<T> destination)
    {
        Check(source.Length, rows, cols, "source");
        Check(destination.Length, cols, rows, "destination");
        const int Tile = 32;
        ref T src = ref MemoryMarshal.GetReference(source);
        ref T dst = ref MemoryMarshal.GetReference(destination);
        if (typeof(T) == typeof(float) && Avx.IsSupported && rows >= 8 && cols >= 8)
        {
            TransposeFloat(ref Unsafe.As<T, float>(ref src), rows, cols, ref Unsafe.As<T, float>(ref dst));
            return;
        }

        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int i1 = Math.Min(rows, i0 + Tile), j1 = Math.Min(cols, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    ref T row = ref Unsafe.Add(ref src, (nint)i * cols);
                    for (int j = j0; j < j1; j++)
                    {
                        Unsafe.Add(ref dst, ((nint)j * rows) + i) = Unsafe.Add(ref row, j);   // in range: lengths checked above
                    }
                }
            }
        }
    }

    /// <summary>Transpose of a float matrix in 8 × 8 blocks, each one eight loads, 24 shuffles and eight stores (AVX);
    /// the rows and columns beyond the last full block element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeFloat(ref float src, int rows, int cols, ref float dst)
    {
        int rows8 = rows & ~7, cols8 = cols & ~7;
        for (int i = 0; i < rows8; i += 8)
        {
            for (int j = 0; j < cols8; j += 8)
            {
                Transpose8x8(ref Unsafe.Add(ref src, ((nint)i * cols) + j), cols, ref Unsafe.Add(ref dst, ((nint)j * rows) + i), rows);
            }

            for (int j = cols8; j < cols; j++)
            {
                for (int r = i; r < i + 8; r++)
                {
                    Unsafe.Add(ref dst, ((nint)j * rows) + r) = Unsafe.Add(ref src, ((nint)r * cols) + j);
                }
            }
        }

        for (int r = rows8; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                Unsafe.Add(ref dst, ((nint)j * rows) + r) = Unsafe.Add(ref src, ((nint)r * cols) + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float src, nint srcStride, ref float dst, nint dstStride)
    {
        var r0 = Vector256.LoadUnsafe(ref src);
        var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, srcStride));
        var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 2 * srcStride));
        var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 3 * srcStride));
        var r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 4 * srcStride));
        var r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 5 * srcStride));
        var r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 6 * srcStride));
        var r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 7 * srcStride));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, dstStride));
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, 2 * dstStride));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, 3 * dstStride));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 4 * dstStride));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 5 * dstStride));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 6 * dstStride));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 7 * dstStride));
    }

    /// <summary>Whether <see cref="Block8x3{T}"/> runs (32 vector registers); off for tests that compare both blocks.</summary>
    internal static bool WideBlocks { get; set; } = Avx512F.VL.IsSupported;

    private static bool UseMicroKernel<T>(int n) =>
        Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && n >= Vector256<T>.Count;

    /// <summary>C (m, n, row stride n) += A·B with A(i, p) at a[i·ars + p·acs] and B (k, n, row stride n).
    /// Lengths are checked by the callers; n ≥ one vector. accumulate false: C = A·B (needs k ≥ 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemm<T>(ref T a, nint ars, nint acs, ref T b, int n, ref T c, int m, int k, int nCols, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        int v = Vector256<T>.Count;
        int tail = nCols % v;
        Vector256<T> tailMask = Vector256.GreaterThanOrEqual(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(v - tail)));
        T[]? packed = k > PackDepth && m > RowBlock && nCols >= 3 * v ? ArrayPool<T>.Shared.Rent(KBlock * 3 * v) : null;
        for (int p0 = 0; p0 < k; p0 += KBlock)
        {
            int kc = Math.Min(KBlock, k - p0);
            bool add = accumulate || p0 > 0;
            ref T ap = ref Unsafe.Add(ref a, p0 * acs);
            ref T bp = ref Unsafe.Add(ref b, (nint)p0 * n);
            int j = 0;
            for (; j + (3 * v) <= nCols; j += 3 * v)
            {
                // A panel of B (kc rows × 3 vectors) strided by n may not fit in L1 for deep products; copy it into a
                // contiguous buffer first so the row blocks of A all read it from L1.
                ref T panel = ref Unsafe.Add(ref bp, j);
                int ldb = n;
                if (packed is not null)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        ref T from = ref Unsafe.Add(ref bp, ((nint)p * n) + j);
                        ref T to = ref packed[p * 3 * v];
                        Vector256.LoadUnsafe(ref from).StoreUnsafe(ref to);
                        Vector256.LoadUnsafe(ref from, (nuint)v).StoreUnsafe(ref to, (nuint)v);
                        Vector256.LoadUnsafe(ref from, (nuint)(2 * v)).StoreUnsafe(ref to, (nuint)(2 * v));
                    }

                    panel = ref packed[0];
                    ldb = 3 * v;
                }

                int i = 0;
                if (WideBlocks)
                {
                    for (; i + (2 * RowBlock) <= m; i += 2 * RowBlock)
                    {
                        Block8x3(ref Unsafe.Add(ref ap, i * ars), ars, acs, ref panel, ldb, ref Unsafe.Add(ref c, ((nint)i * n) + j), n, kc, add);
                    }
                }

                for (; i + RowBlock <= m; i += RowBlock)
                {
                    Block4x3(ref Unsafe.Add(ref ap, i * ars), ars, acs, ref panel, ldb, ref Unsafe.Add(ref c, ((nint)i * n) + j), n, kc, add);
                }

                for (; i < m; i++)
                {
                    Block1x3(ref Unsafe.Add(ref ap, i * ars), acs, ref panel, ldb, ref Unsafe.Add(ref c, ((nint)i * n) + j), kc, add);
                }
            }

            for (; j + v <= nCols; j += v)
            {
                BlockColumn(ref ap, ars, acs, ref Unsafe.Add(ref bp, j), n, ref Unsafe.Add(ref c, j), m, kc, Vector256<T>.AllBitsSet, add);
            }

            if (tail > 0)
            {
                // One vector ending at the last column; lanes before column j belong to blocks already done and are kept.
                BlockColumn(ref ap, ars, acs, ref Unsafe.Add(ref bp, nCols - v), n, ref Unsafe.Add(ref c, nCols - v), m, kc, tailMask, add);
            }
        }

        if (packed is not null)
        {
            ArrayPool<T>.Shared.Return(packed);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MulAdd<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), acc.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), acc.As<T, double>()).As<double, T>();
        }

        throw new NotSupportedException();
    }

    /// <summary>4 rows × 3 vectors of C += A[4 rows, kc]·B[kc, 3 vectors], twelve accumulators in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x3<T>(ref T a, nint ars, nint acs, ref T b, int ldb, ref T c, int n, int kc, bool add)
        where T : IFloatingPointIeee754<T>
    {
        nuint v = (nuint)Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<T> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        for (int p = 0; p < kc; p++)
        {
            ref T br = ref Unsafe.Add(ref b, (nint)p * ldb);
            var b0 = Vector256.LoadUnsafe(ref br);
            var b1 = Vector256.LoadUnsafe(ref br, v);
            var b2 = Vector256.LoadUnsafe(ref br, 2 * v);
            ref T ar = ref Unsafe.Add(ref a, p * acs);
            var s = Vector256.Create(ar);
            c00 = MulAdd(s, b0, c00);
            c01 = MulAdd(s, b1, c01);
            c02 = MulAdd(s, b2, c02);
            s = Vector256.Create(Unsafe.Add(ref ar, ars));
            c10 = MulAdd(s, b0, c10);
            c11 = MulAdd(s, b1, c11);
            c12 = MulAdd(s, b2, c12);
            s = Vector256.Create(Unsafe.Add(ref ar, 2 * ars));
            c20 = MulAdd(s, b0, c20);
            c21 = MulAdd(s, b1, c21);
            c22 = MulAdd(s, b2, c22);
            s = Vector256.Create(Unsafe.Add(ref ar, 3 * ars));
            c30 = MulAdd(s, b0, c30);
            c31 = MulAdd(s, b1, c31);
            c32 = MulAdd(s, b2, c32);
        }

        AddRow(ref c, v, c00, c01, c02, add);
        AddRow(ref Unsafe.Add(ref c, n), v, c10, c11, c12, add);
        AddRow(ref Unsafe.Add(ref c, 2 * n), v, c20, c21, c22, add);
        AddRow(ref Unsafe.Add(ref c, 3 * n), v, c30, c31, c32, add);
    }

    /// <summary>8 rows × 3 vectors of C += A[8 rows, kc]·B[kc, 3 vectors]: twenty-four accumulators, which fit only
    /// where the CPU has 32 vector registers (AVX-512VL: the 256-bit instructions reach ymm16–ymm31). Eight broadcasts
    /// and three loads per 24 fused multiply-adds instead of four and three per twelve. Each element of C is the same
    /// chain of fused multiply-adds as in <see cref="Block4x3{T}"/>, so the bits do not depend on the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block8x3<T>(ref T a, nint ars, nint acs, ref T b, int ldb, ref T c, int n, int kc, bool add)
        where T : IFloatingPointIeee754<T>
    {
        nuint v = (nuint)Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<T> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector256<T> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector256<T> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        for (int p = 0; p < kc; p++)
        {
            ref T br = ref Unsafe.Add(ref b, (nint)p * ldb);
            var b0 = Vector256.LoadUnsafe(ref br);
            var b1 = Vector256.LoadUnsafe(ref br, v);
            var b2 = Vector256.LoadUnsafe(ref br, 2 * v);
            ref T ar = ref Unsafe.Add(ref a, p * acs);
            var s = Vector256.Create(ar);
            c00 = MulAdd(s, b0, c00);
            c01 = MulAdd(s, b1, c01);
            c02 = MulAdd(s, b2, c02);
            s = Vector256.Create(Unsafe.Add(ref ar, ars));
            c10 = MulAdd(s, b0, c10);
            c11 = MulAdd(s, b1, c11);
            c12 = MulAdd(s, b2, c12);
            s = Vector256.Create(Unsafe.Add(ref ar, 2 * ars));
            c20 = MulAdd(s, b0, c20);
            c21 = MulAdd(s, b1, c21);
            c22 = MulAdd(s, b2, c22);
            s = Vector256.Create(Unsafe.Add(ref ar, 3 * ars));
            c30 = MulAdd(s, b0, c30);
            c31 = MulAdd(s, b1, c31);
            c32 = MulAdd(s, b2, c32);
            s = Vector256.Create(Unsafe.Add(ref ar, 4 * ars));
            c40 = MulAdd(s, b0, c40);
            c41 = MulAdd(s, b1, c41);
            c42 = MulAdd(s, b2, c42);
            s = Vector256.Create(Unsafe.Add(ref ar, 5 * ars));
            c50 = MulAdd(s, b0, c50);
            c51 = MulAdd(s, b1, c51);
            c52 = MulAdd(s, b2, c52);
            s = Vector256.Create(Unsafe.Add(ref ar, 6 * ars));
            c60 = MulAdd(s, b0, c60);
            c61 = MulAdd(s, b1, c61);
            c62 = MulAdd(s, b2, c62);
            s = Vector256.Create(Unsafe.Add(ref ar, 7 * ars));
            c70 = MulAdd(s, b0, c70);
            c71 = MulAdd(s, b1, c71);
            c72 = MulAdd(s, b2, c72);
        }

        AddRow(ref c, v, c00, c01, c02, add);
        AddRow(ref Unsafe.Add(ref c, n), v, c10, c11, c12, add);
        AddRow(ref Unsafe.Add(ref c, 2 * n), v, c20, c21, c22, add);
        AddRow(ref Unsafe.Add(ref c, 3 * n), v, c30, c31, c32, add);
        AddRow(ref Unsafe.Add(ref c, 4 * n), v, c40, c41, c42, add);
        AddRow(ref Unsafe.Add(ref c, 5 * n), v, c50, c51, c52, add);
        AddRow(ref Unsafe.Add(ref c, 6 * n), v, c60, c61, c62, add);
        AddRow(ref Unsafe.Add(ref c, 7 * n), v, c70, c71, c72, add);
    }

    /// <summary>1 row × 3 vectors (the rows left over after blocks of four).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block1x3<T>(ref T a, nint acs, ref T b, int ldb, ref T c, int kc, bool add)
        where T : IFloatingPointIeee754<T>
    {
        nuint v = (nuint)Vector256<T>.Count;
        Vector256<T> c0 = default, c1 = default, c2 = default;
        for (int p = 0; p < kc; p++)
        {
            ref T br = ref Unsafe.Add(ref b, (nint)p * ldb);
            var s = Vector256.Create(Unsafe.Add(ref a, p * acs));
            c0 = MulAdd(s, Vector256.LoadUnsafe(ref br), c0);
            c1 = MulAdd(s, Vector256.LoadUnsafe(ref br, v), c1);
            c2 = MulAdd(s, Vector256.LoadUnsafe(ref br, 2 * v), c2);
        }

        AddRow(ref c, v, c0, c1, c2, add);
    }

    /// <summary>One vector column of C for all m rows (eight at a time, enough independent chains to cover the FMA
    /// latency, then four, then one); lanes outside <paramref name="mask"/> are kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockColumn<T>(ref T a, nint ars, nint acs, ref T b, int n, ref T c, int m, int kc, Vector256<T> mask, bool add)
        where T : IFloatingPointIeee754<T>
    {
        int i = 0;
        for (; i + (2 * RowBlock) <= m; i += 2 * RowBlock)
        {
            ref T ai = ref Unsafe.Add(ref a, i * ars);
            Vector256<T> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int p = 0; p < kc; p++)
            {
                var bv = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, (nint)p * n));
                ref T ar = ref Unsafe.Add(ref ai, p * acs);
                c0 = MulAdd(Vector256.Create(ar), bv, c0);
                c1 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, ars)), bv, c1);
                c2 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 2 * ars)), bv, c2);
                c3 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 3 * ars)), bv, c3);
                c4 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 4 * ars)), bv, c4);
                c5 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 5 * ars)), bv, c5);
                c6 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 6 * ars)), bv, c6);
                c7 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 7 * ars)), bv, c7);
            }

            ref T ci = ref Unsafe.Add(ref c, (nint)i * n);
            AddMasked(ref ci, c0, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, n), c1, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 2 * n), c2, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 3 * n), c3, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 4 * n), c4, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 5 * n), c5, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 6 * n), c6, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 7 * n), c7, mask, add);
        }

        for (; i + RowBlock <= m; i += RowBlock)
        {
            ref T ai = ref Unsafe.Add(ref a, i * ars);
            Vector256<T> c0 = default, c1 = default, c2 = default, c3 = default;
            for (int p = 0; p < kc; p++)
            {
                var bv = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, (nint)p * n));
                ref T ar = ref Unsafe.Add(ref ai, p * acs);
                c0 = MulAdd(Vector256.Create(ar), bv, c0);
                c1 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, ars)), bv, c1);
                c2 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 2 * ars)), bv, c2);
                c3 = MulAdd(Vector256.Create(Unsafe.Add(ref ar, 3 * ars)), bv, c3);
            }

            ref T ci = ref Unsafe.Add(ref c, (nint)i * n);
            AddMasked(ref ci, c0, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, n), c1, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 2 * n), c2, mask, add);
            AddMasked(ref Unsafe.Add(ref ci, 3 * n), c3, mask, add);
        }

        for (; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * ars);
            Vector256<T> c0 = default;
            for (int p = 0; p < kc; p++)
            {
                c0 = MulAdd(Vector256.Create(Unsafe.Add(ref ai, p * acs)), Vector256.LoadUnsafe(ref Unsafe.Add(ref b, (nint)p * n)), c0);
            }

            AddMasked(ref Unsafe.Add(ref c, (nint)i * n), c0, mask, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow<T>(ref T c, nuint v, Vector256<T> x0, Vector256<T> x1, Vector256<T> x2, bool add)
        where T : IFloatingPointIeee754<T>
    {
        if (!add)
        {
            x0.StoreUnsafe(ref c);
            x1.StoreUnsafe(ref c, v);
            x2.StoreUnsafe(ref c, 2 * v);
            return;
        }

        (Vector256.LoadUnsafe(ref c) + x0).StoreUnsafe(ref c);
        (Vector256.LoadUnsafe(ref c, v) + x1).StoreUnsafe(ref c, v);
        (Vector256.LoadUnsafe(ref c, 2 * v) + x2).StoreUnsafe(ref c, 2 * v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddMasked<T>(ref T c, Vector256<T> x, Vector256<T> mask, bool add)
        where T : IFloatingPointIeee754<T>
    {
        var old = Vector256.LoadUnsafe(ref c);
        Vector256.ConditionalSelect(mask, add ? old + x : x, old).StoreUnsafe(ref c);
    }

    /// <summary>The portable path: C += A·B four rows of B at a time, <see cref="Vector{T}"/> across the columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyProduct<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> ai = a.Slice(i * k, k);
            Span<T> ci = c.Slice(i * n, n);
            int p = 0;
            for (; p + 4 <= k; p += 4)
            {
                AddFourScaledRows(ci, ai[p], b.Slice(p * n, n), ai[p + 1], b.Slice((p + 1) * n, n), ai[p + 2], b.Slice((p + 2) * n, n), ai[p + 3], b.Slice((p + 3) * n, n));
            }

            for (; p < k; p++)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), ai[p], ci, ci);
            }
        }
    }

    /// <summary>c += s0·r0 + s1·r1 + s2·r2 + s3·r3, one pass over c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddFourScaledRows<T>(Span<T> c, T s0, ReadOnlySpan<T> r0, T s1, ReadOnlySpan<T> r1, T s2, ReadOnlySpan<T> r2, T s3, ReadOnlySpan<T> r3)
        where T : IFloatingPointIeee754<T>
    {
        int n = c.Length, j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && n >= Vector<T>.Count)
        {
            var v0 = new Vector<T>(s0);
            var v1 = new Vector<T>(s1);
            var v2 = new Vector<T>(s2);
            var v3 = new Vector<T>(s3);
            ref T cr = ref MemoryMarshal.GetReference(c);
            ref T b0 = ref MemoryMarshal.GetReference(r0);
            ref T b1 = ref MemoryMarshal.GetReference(r1);
            ref T b2 = ref MemoryMarshal.GetReference(r2);
            ref T b3 = ref MemoryMarshal.GetReference(r3);
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                nuint o = (nuint)j;
                var acc = Vector.LoadUnsafe(ref cr, o) + (v0 * Vector.LoadUnsafe(ref b0, o)) + (v1 * Vector.LoadUnsafe(ref b1, o))
                    + (v2 * Vector.LoadUnsafe(ref b2, o)) + (v3 * Vector.LoadUnsafe(ref b3, o));
                acc.StoreUnsafe(ref cr, o);
            }
        }

        for (; j < n; j++)
        {
            c[j] += (s0 * r0[j]) + (s1 * r1[j]) + (s2 * r2[j]) + (s3 * r3[j]);
        }
    }

    private static void Check(int length, int rows, int cols, string name)
    {
        if (length != (long)rows * cols || rows < 0 || cols < 0)
        {
            throw new ArgumentException($"{name} has {length} elements but shape ({rows}, {cols}) needs {(long)rows * cols}.", name);
        }
    }
}
