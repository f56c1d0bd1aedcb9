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
/// The micro-kernel keeps a block of C of 4 rows × 3 vectors in twelve registers (8 rows × 3 vectors in 24 where the
/// CPU has AVX-512's 32 registers) and, for each p of the inner dimension, loads three vectors of row p of B,
/// broadcasts one entry of A per row and issues rows × 3 fused multiply-adds (MatrixProduct.Blocks.cs). Where the JIT
/// accelerates 512-bit vectors (AVX-512), panels of 3 × 16 floats (3 × 8 doubles) come first and 256-bit panels of
/// 3 × 8 (3 × 4) take the columns left; B is walked in equal slices of at most <see cref="KBlock"/> rows so a panel stays near L1
/// while the row blocks of A pass over it. In Aᵀ·B the columns after the last panel run down the rows
/// (MatrixProduct.TailColumns.cs); in float A·B with AVX-512, four rows × four columns to a 512-bit vector
/// (MatrixProduct.TailQuads.cs); elsewhere they run as single vectors across the row, and columns that do not fill a
/// 256-bit vector use one overlapping vector whose foreign lanes are discarded. Each element of C is the same chain of
/// fused multiply-adds over p whatever the width, the block or the thread, so the bits are the same on every machine
/// where 256-bit vectors are accelerated (x64 with AVX2 and FMA). Aᵀ·B reads A with swapped strides (no transpose);
/// A·Bᵀ transposes B (float: 8 × 8 AVX blocks) into a pooled or caller-given buffer. Products of
/// <see cref="ParallelThreshold"/> multiply-adds and more split their output rows (or column panels, or, with few rows
/// and a deep inner dimension, B's slices) between cores, with the same bits as on one thread (MatrixProduct.Threads.cs); A·Bᵀ with fewer than 128 rows of A stays whole on
/// one thread (its freshly transposed B would have to cross cores), which a linear layer's backward runs beside xᵀ·dy
/// (MatrixProduct.Gradients.cs). Other element types, or machines without 256-bit vectors, use a
/// <see cref="Vector{T}"/> axpy loop on one thread. No allocation in steady state.
/// </remarks>
public static partial class MatrixProduct
{
    /// <summary>The most rows of B per slice of the micro-kernel: a product walks <see cref="Slices"/>(k) = ⌈k/256⌉ slices
    /// of equal length (784 → four of 196). A 256-bit panel slice of 256 rows × 24 floats is 24 KiB, inside L1; a 512-bit
    /// one, 256 × 48 floats = 48 KiB, fills this machine's 48 KiB L1 and overflows a 32 KiB one into L2, which still feeds
    /// the loads. Fixed: a slice boundary is where a partial sum is added to C, so changing it would change the bits.
    /// (Until issue 22's slice split the slices were 256 rows and a last short one: 784 = 3 × 256 + 16.)</summary>
    public const int KBlock = 256;

    private const int RowBlock = 4;

    /// <summary>Deeper products than this copy each panel of B into a contiguous buffer, when A has at least
    /// <see cref="PackRows"/> rows.</summary>
    private const int PackDepth = 128;

    /// <summary>Products with fewer rows of A read B's panels in place: the copy is not repaid by the few row blocks that
    /// reuse it (the MNIST MLP's x·W₁, (60, 784)·(784, 100): 42–44 µs on two cores unpacked against 45–47 packed, the same
    /// on one core).</summary>
    private const int PackRows = 128;

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
    /// the last block of a row or column of blocks ends at the matrix's edge, overlapping the one before (it writes the
    /// same values there again), so no element goes one by one: (100, 100) took 3.1 µs with the edges element by element,
    /// about a third of the MNIST MLP's dy·Wᵀ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeFloat(ref float src, int rows, int cols, ref float dst)
    {
        for (int i = 0; ; i += 8)
        {
            i = Math.Min(i, rows - 8);
            for (int j = 0; ; j += 8)
            {
                j = Math.Min(j, cols - 8);
                Transpose8x8(ref Unsafe.Add(ref src, ((nint)i * cols) + j), cols, ref Unsafe.Add(ref dst, ((nint)j * rows) + i), rows);
                if (j == cols - 8)
                {
                    break;
                }
            }

            if (i == rows - 8)
            {
                return;
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

    /// <summary>Whether the 8-row blocks run (32 vector registers); off for tests that compare the blocks.</summary>
    internal static bool WideBlocks { get; set; } = Avx512F.VL.IsSupported;

    /// <summary>Whether panels of three 512-bit vectors run before the 256-bit ones (where the JIT accelerates
    /// <see cref="Vector512{T}"/>); off for tests that compare both widths.</summary>
    internal static bool Wide512 { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>Whether the columns after the last panel run down the rows where A's columns are contiguous
    /// (MatrixProduct.TailColumns.cs); off for tests that compare both paths.</summary>
    internal static bool TailDown { get; set; } = true;

    /// <summary>Whether the columns after the last panel of a float A·B with A's rows contiguous run four rows × four
    /// columns to a 512-bit vector (MatrixProduct.TailQuads.cs; AVX-512F); off for tests that compare both paths.</summary>
    internal static bool TailQuads { get; set; } = true;

    private static bool UseMicroKernel<T>(int n) =>
        Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && n >= Vector256<T>.Count;

    /// <summary>C (m, n, row stride n) += A·B with A(i, p) at a[i·ars + p·acs] and B (k, n, row stride n).
    /// Lengths are checked by the callers; n ≥ one vector. accumulate false: C = A·B (needs k ≥ 1).</summary>
    private static void Gemm<T>(ref T a, nint ars, nint acs, ref T b, int n, ref T c, int m, int k, int nCols, bool accumulate)
        where T : IFloatingPointIeee754<T> =>
        GemmSlices(ref a, ars, acs, ref b, n, ref c, m, k, nCols, accumulate, 0, Slices(k));

    /// <summary>How many slices of B a product with inner dimension k walks: ⌈k / <see cref="KBlock"/>⌉, of equal
    /// length (<see cref="SliceStart"/>), none longer than KBlock.</summary>
    internal static int Slices(int k) => (k + KBlock - 1) / KBlock;

    /// <summary>First row of B (index p of the inner dimension) of slice <paramref name="slice"/> of
    /// <paramref name="slices"/>: k·slice/slices, so the slices differ in length by at most one row and a product cut
    /// after half its slices is cut at half its inner dimension.</summary>
    internal static int SliceStart(int slice, int slices, int k) => (int)((long)k * slice / slices);

    /// <summary><see cref="Gemm{T}"/> over slices [<paramref name="firstSlice"/>, <paramref name="endSlice"/>) of B
    /// only (of <see cref="Slices"/>(k)): C = or += the sum of those slices' partial products, each added in slice order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmSlices<T>(ref T a, nint ars, nint acs, ref T b, int n, ref T c, int m, int k, int nCols, bool accumulate, int firstSlice, int endSlice)
        where T : IFloatingPointIeee754<T>
    {
        int slices = Slices(k);
        int v = Vector256<T>.Count;
        int tail = nCols % v;
        Vector256<T> tailMask = Vector256.GreaterThanOrEqual(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(v - tail)));
        bool wide = Wide512 && nCols >= 3 * Vector512<T>.Count;
        T[]? packed = k > PackDepth && m >= PackRows && nCols >= 3 * v ? ArrayPool<T>.Shared.Rent(KBlock * 3 * (wide ? Vector512<T>.Count : v)) : null;
        T[]? scratch = null;
        for (int slice = firstSlice; slice < endSlice; slice++)
        {
            int p0 = SliceStart(slice, slices, k);
            int kc = SliceStart(slice + 1, slices, k) - p0;
            bool add = accumulate || slice > firstSlice;
            ref T ap = ref Unsafe.Add(ref a, p0 * acs);
            ref T bp = ref Unsafe.Add(ref b, (nint)p0 * n);
            int j = 0;
            if (wide)
            {
                j = Panels<T, Vector512<T>, Width512<T>>(ref ap, ars, acs, ref bp, n, ref c, m, kc, j, nCols, add, packed);
            }

            j = Panels<T, Vector256<T>, Width256<T>>(ref ap, ars, acs, ref bp, n, ref c, m, kc, j, nCols, add, packed);
            if (j < nCols && TailDown && ars == 1 && m >= Vector256<T>.Count)
            {
                // A's columns are contiguous (Aᵀ·B): the columns left run down the rows (MatrixProduct.TailColumns.cs).
                scratch ??= ArrayPool<T>.Shared.Rent(Vector512<T>.Count);
                if (Wide512 && m >= Vector512<T>.Count)
                {
                    TailColumns<T, Vector512<T>, Width512<T>>(ref ap, acs, ref bp, n, ref c, m, kc, j, nCols, add, scratch);
                }
                else
                {
                    TailColumns<T, Vector256<T>, Width256<T>>(ref ap, acs, ref bp, n, ref c, m, kc, j, nCols, add, scratch);
                }

                continue;
            }

            if (j < nCols && typeof(T) == typeof(float) && TailQuads && Wide512 && Avx512F.IsSupported && acs == 1 && m >= 4 && nCols >= 4)
            {
                // A's rows are contiguous (A·B, A·Bᵀ): four rows × four columns to a 512-bit vector (MatrixProduct.TailQuads.cs).
                TailQuadColumns(ref Unsafe.As<T, float>(ref ap), ars, ref Unsafe.As<T, float>(ref bp), n, ref Unsafe.As<T, float>(ref c), m, kc, j, nCols, add);
                continue;
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

        if (scratch is not null)
        {
            ArrayPool<T>.Shared.Return(scratch);
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
