using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace BatchNormNotebooks;

/// <summary>The register blocks of the micro-kernel, written once for both vector widths.</summary>
/// <remarks>A block of C is rows × 3 vectors held in registers while the inner dimension streams past: for each p, three
/// vectors of row p of B are loaded, one entry of A per row is broadcast, and rows × 3 fused multiply-adds are issued.
/// The width is a type argument (<see cref="Width256{T}"/>, <see cref="Width512{T}"/>), so the JIT compiles each width
/// as its own loop with no call inside. Every element of C is the same chain of fused multiply-adds, p = 0, 1, …, in
/// every block and at every width, so the bits depend on neither.</remarks>
public static partial class MatrixProduct
{
    /// <summary>The vector operations a block needs, for one vector type.</summary>
    internal interface IWidth<T, TVector>
        where TVector : struct
    {
        /// <summary>Elements per vector.</summary>
        static abstract int Count { get; }

        static abstract TVector Load(ref T source, nuint offset);

        static abstract TVector Broadcast(T value);

        /// <summary>x·y + acc, rounded once.</summary>
        static abstract TVector MulAdd(TVector x, TVector y, TVector acc);

        static abstract TVector Add(TVector x, TVector y);

        static abstract void Store(TVector value, ref T destination, nuint offset);
    }

    /// <summary>256-bit vectors (AVX2 + FMA).</summary>
    internal readonly struct Width256<T> : IWidth<T, Vector256<T>>
        where T : IFloatingPointIeee754<T>
    {
        public static int Count => Vector256<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> MulAdd(Vector256<T> x, Vector256<T> y, Vector256<T> acc) => MatrixProduct.MulAdd(x, y, acc);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }

    /// <summary>512-bit vectors (AVX-512F).</summary>
    internal readonly struct Width512<T> : IWidth<T, Vector512<T>>
        where T : IFloatingPointIeee754<T>
    {
        public static int Count => Vector512<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> MulAdd(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
        {
            if (typeof(T) == typeof(float))
            {
                return Vector512.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), acc.As<T, float>()).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Vector512.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), acc.As<T, double>()).As<double, T>();
            }

            throw new NotSupportedException();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }

    /// <summary>The panels of three vectors of width <typeparamref name="TW"/> from column <paramref name="j"/> on, for
    /// one slice of kc rows of B: C[:, j … j + 3w) (+)= A[:, kc]·B[kc, j … j + 3w) per panel, 8-row blocks (where
    /// <see cref="WideBlocks"/>), then 4-row blocks, then single rows. Returns the first column not done.</summary>
    /// <remarks>With <paramref name="packed"/>, each panel of B (kc × 3w, row stride n) is first copied into that
    /// contiguous buffer, so the row blocks of A all read it from L1 however long B's rows are.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Panels<T, TVector, TW>(ref T a, nint ars, nint acs, ref T b, int n, ref T c, int m, int kc, int j, int nCols, bool add, T[]? packed)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        int w = TW.Count;
        for (; j + (3 * w) <= nCols; j += 3 * w)
        {
            ref T panel = ref Unsafe.Add(ref b, j);
            int ldb = n;
            if (packed is not null)
            {
                ref T to = ref packed[0];
                for (int p = 0; p < kc; p++)
                {
                    ref T from = ref Unsafe.Add(ref b, ((nint)p * n) + j);
                    nuint o = (nuint)(p * 3 * w);
                    TW.Store(TW.Load(ref from, 0), ref to, o);
                    TW.Store(TW.Load(ref from, (nuint)w), ref to, o + (nuint)w);
                    TW.Store(TW.Load(ref from, (nuint)(2 * w)), ref to, o + (nuint)(2 * w));
                }

                panel = ref to;
                ldb = 3 * w;
            }

            int i = 0;
            if (WideBlocks)
            {
                for (; i + (2 * RowBlock) <= m; i += 2 * RowBlock)
                {
                    Block8x3<T, TVector, TW>(ref Unsafe.Add(ref a, i * ars), ars, acs, ref panel, ldb, ref Unsafe.Add(ref c, ((nint)i * n) + j), n, kc, add);
                }
            }

            for (; i + RowBlock <= m; i += RowBlock)
            {
                Block4x3<T, TVector, TW>(ref Unsafe.Add(ref a, i * ars), ars, acs, ref panel, ldb, ref Unsafe.Add(ref c, ((nint)i * n) + j), n, kc, add);
            }

            for (; i < m; i++)
            {
                Block1x3<T, TVector, TW>(ref Unsafe.Add(ref a, i * ars), acs, ref panel, ldb, ref Unsafe.Add(ref c, ((nint)i * n) + j), kc, add);
            }
        }

        return j;
    }

    /// <summary>4 rows × 3 vectors of C += A[4 rows, kc]·B[kc, 3 vectors], twelve accumulators in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x3<T, TVector, TW>(ref T a, nint ars, nint acs, ref T b, int ldb, ref T c, int n, int kc, bool add)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        nuint v = (nuint)TW.Count;
        TVector c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        TVector c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        for (int p = 0; p < kc; p++)
        {
            ref T br = ref Unsafe.Add(ref b, (nint)p * ldb);
            var b0 = TW.Load(ref br, 0);
            var b1 = TW.Load(ref br, v);
            var b2 = TW.Load(ref br, 2 * v);
            ref T ar = ref Unsafe.Add(ref a, p * acs);
            var s = TW.Broadcast(ar);
            c00 = TW.MulAdd(s, b0, c00);
            c01 = TW.MulAdd(s, b1, c01);
            c02 = TW.MulAdd(s, b2, c02);
            s = TW.Broadcast(Unsafe.Add(ref ar, ars));
            c10 = TW.MulAdd(s, b0, c10);
            c11 = TW.MulAdd(s, b1, c11);
            c12 = TW.MulAdd(s, b2, c12);
            s = TW.Broadcast(Unsafe.Add(ref ar, 2 * ars));
            c20 = TW.MulAdd(s, b0, c20);
            c21 = TW.MulAdd(s, b1, c21);
            c22 = TW.MulAdd(s, b2, c22);
            s = TW.Broadcast(Unsafe.Add(ref ar, 3 * ars));
            c30 = TW.MulAdd(s, b0, c30);
            c31 = TW.MulAdd(s, b1, c31);
            c32 = TW.MulAdd(s, b2, c32);
        }

        AddRow<T, TVector, TW>(ref c, c00, c01, c02, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, n), c10, c11, c12, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 2 * n), c20, c21, c22, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 3 * n), c30, c31, c32, add);
    }

    /// <summary>8 rows × 3 vectors of C += A[8 rows, kc]·B[kc, 3 vectors]: twenty-four accumulators, which fit only
    /// where the CPU has 32 vector registers (AVX-512: zmm0–zmm31, or ymm16–ymm31 for the 256-bit instructions). Eight
    /// broadcasts and three loads per 24 fused multiply-adds instead of four and three per twelve.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block8x3<T, TVector, TW>(ref T a, nint ars, nint acs, ref T b, int ldb, ref T c, int n, int kc, bool add)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        nuint v = (nuint)TW.Count;
        TVector c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        TVector c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        TVector c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        TVector c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        for (int p = 0; p < kc; p++)
        {
            ref T br = ref Unsafe.Add(ref b, (nint)p * ldb);
            var b0 = TW.Load(ref br, 0);
            var b1 = TW.Load(ref br, v);
            var b2 = TW.Load(ref br, 2 * v);
            ref T ar = ref Unsafe.Add(ref a, p * acs);
            var s = TW.Broadcast(ar);
            c00 = TW.MulAdd(s, b0, c00);
            c01 = TW.MulAdd(s, b1, c01);
            c02 = TW.MulAdd(s, b2, c02);
            s = TW.Broadcast(Unsafe.Add(ref ar, ars));
            c10 = TW.MulAdd(s, b0, c10);
            c11 = TW.MulAdd(s, b1, c11);
            c12 = TW.MulAdd(s, b2, c12);
            s = TW.Broadcast(Unsafe.Add(ref ar, 2 * ars));
            c20 = TW.MulAdd(s, b0, c20);
            c21 = TW.MulAdd(s, b1, c21);
            c22 = TW.MulAdd(s, b2, c22);
            s = TW.Broadcast(Unsafe.Add(ref ar, 3 * ars));
            c30 = TW.MulAdd(s, b0, c30);
            c31 = TW.MulAdd(s, b1, c31);
            c32 = TW.MulAdd(s, b2, c32);
            s = TW.Broadcast(Unsafe.Add(ref ar, 4 * ars));
            c40 = TW.MulAdd(s, b0, c40);
            c41 = TW.MulAdd(s, b1, c41);
            c42 = TW.MulAdd(s, b2, c42);
            s = TW.Broadcast(Unsafe.Add(ref ar, 5 * ars));
            c50 = TW.MulAdd(s, b0, c50);
            c51 = TW.MulAdd(s, b1, c51);
            c52 = TW.MulAdd(s, b2, c52);
            s = TW.Broadcast(Unsafe.Add(ref ar, 6 * ars));
            c60 = TW.MulAdd(s, b0, c60);
            c61 = TW.MulAdd(s, b1, c61);
            c62 = TW.MulAdd(s, b2, c62);
            s = TW.Broadcast(Unsafe.Add(ref ar, 7 * ars));
            c70 = TW.MulAdd(s, b0, c70);
            c71 = TW.MulAdd(s, b1, c71);
            c72 = TW.MulAdd(s, b2, c72);
        }

        AddRow<T, TVector, TW>(ref c, c00, c01, c02, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, n), c10, c11, c12, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 2 * n), c20, c21, c22, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 3 * n), c30, c31, c32, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 4 * n), c40, c41, c42, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 5 * n), c50, c51, c52, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 6 * n), c60, c61, c62, add);
        AddRow<T, TVector, TW>(ref Unsafe.Add(ref c, 7 * n), c70, c71, c72, add);
    }

    /// <summary>1 row × 3 vectors (the rows left over after blocks of four).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block1x3<T, TVector, TW>(ref T a, nint acs, ref T b, int ldb, ref T c, int kc, bool add)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        nuint v = (nuint)TW.Count;
        TVector c0 = default, c1 = default, c2 = default;
        for (int p = 0; p < kc; p++)
        {
            ref T br = ref Unsafe.Add(ref b, (nint)p * ldb);
            var s = TW.Broadcast(Unsafe.Add(ref a, p * acs));
            c0 = TW.MulAdd(s, TW.Load(ref br, 0), c0);
            c1 = TW.MulAdd(s, TW.Load(ref br, v), c1);
            c2 = TW.MulAdd(s, TW.Load(ref br, 2 * v), c2);
        }

        AddRow<T, TVector, TW>(ref c, c0, c1, c2, add);
    }

    /// <summary>Three vectors of one row of C: stored (add false) or added to what is there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow<T, TVector, TW>(ref T c, TVector x0, TVector x1, TVector x2, bool add)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        nuint v = (nuint)TW.Count;
        if (!add)
        {
            TW.Store(x0, ref c, 0);
            TW.Store(x1, ref c, v);
            TW.Store(x2, ref c, 2 * v);
            return;
        }

        TW.Store(TW.Add(TW.Load(ref c, 0), x0), ref c, 0);
        TW.Store(TW.Add(TW.Load(ref c, v), x1), ref c, v);
        TW.Store(TW.Add(TW.Load(ref c, 2 * v), x2), ref c, 2 * v);
    }
}
