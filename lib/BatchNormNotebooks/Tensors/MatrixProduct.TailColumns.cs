using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BatchNormNotebooks;

/// <summary>The columns of C left after the last whole panel, computed down the rows.</summary>
/// <remarks>A panel's register block shares each broadcast of A among three vectors of B. The columns after the last
/// panel (the 4 of a 100-wide layer) have no such partner: across the row (one vector per row, mostly foreign lanes)
/// each broadcast feeds one fused multiply-add, and that sweep cost about a fifth of the whole (60, 784)·(784, 100)
/// product. Here vectors run down the rows instead: for each p, a vector of A's column p (rows i … i + w) times a
/// broadcast of B[p, j], for four columns j at a time. That needs A's column contiguous, which it is in Aᵀ·B (xᵀ·dy
/// reads A with row stride 1). A·B does not: transposing its slice of A first was measured slower (91–93 against 85 µs
/// for (60, 784)·(784, 100) on one core); in float with AVX-512 it packs four rows × four columns to a vector instead
/// (MatrixProduct.TailQuads.cs). Each element of C is still the chain fma(a[i, p], b[p, j], ·) over p from zero, added
/// to C once per slice: the same bits as the panels' path. Four whole columns of 512-bit float vectors are written back
/// transposed in registers, one 128-bit store per row of C (<see cref="WriteDownFour"/>); other cases one element at a
/// time through a scratch vector. In alternation on one core, (784, 60)ᵀ·(60, 100) took 43.9 µs with the transposed
/// write-back against 45.1 µs element by element.</remarks>
public static partial class MatrixProduct
{
    /// <summary>Columns j … nCols of C (m, row stride n) (+)= A·B for one slice of kc rows of B, where A(i, p) is at
    /// at[i + p·atStride] (rows contiguous) and m ≥ one vector. <paramref name="scratch"/> holds at least one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TailColumns<T, TVector, TW>(ref T at, nint atStride, ref T b, int n, ref T c, int m, int kc, int j, int nCols, bool add, T[] scratch)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        int w = TW.Count;
        for (int j0 = j; j0 < nCols; j0 += 4)
        {
            // Four columns per sweep; past nCols a column repeats the last one and is not written.
            int j1 = Math.Min(j0 + 1, nCols - 1), j2 = Math.Min(j0 + 2, nCols - 1), j3 = Math.Min(j0 + 3, nCols - 1);
            int columns = Math.Min(4, nCols - j0);
            int i = 0;
            for (; i + (2 * w) <= m; i += 2 * w)
            {
                TailBlock<T, TVector, TW>(ref Unsafe.Add(ref at, i), atStride, ref b, n, j0, j1, j2, j3, kc, 2, out var r00, out var r01, out var r02, out var r03, out var r10, out var r11, out var r12, out var r13);
                ref T ci = ref Unsafe.Add(ref c, ((nint)i * n) + j0);
                WriteDown<T, TVector, TW>(ref ci, n, r00, r01, r02, r03, columns, 0, add, scratch);
                WriteDown<T, TVector, TW>(ref Unsafe.Add(ref ci, (nint)w * n), n, r10, r11, r12, r13, columns, 0, add, scratch);
            }

            for (; i < m; i += w)
            {
                // The last vector ends at row m, overlapping rows already written; those lanes are skipped.
                int start = Math.Min(i, m - w);
                TailBlock<T, TVector, TW>(ref Unsafe.Add(ref at, start), atStride, ref b, n, j0, j1, j2, j3, kc, 1, out var r0, out var r1, out var r2, out var r3, out _, out _, out _, out _);
                WriteDown<T, TVector, TW>(ref Unsafe.Add(ref c, ((nint)start * n) + j0), n, r0, r1, r2, r3, columns, i - start, add, scratch);
            }
        }
    }

    /// <summary>One or two vectors of rows × four columns: for each p, the rows' entries of A's column p times a
    /// broadcast of B[p, j] per column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TailBlock<T, TVector, TW>(ref T at, nint atStride, ref T b, int n, int j0, int j1, int j2, int j3, int kc, int vectors,
        out TVector c00, out TVector c01, out TVector c02, out TVector c03, out TVector c10, out TVector c11, out TVector c12, out TVector c13)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = default;
        nuint w = (nuint)TW.Count;
        if (vectors == 2)
        {
            for (int p = 0; p < kc; p++)
            {
                ref T ap = ref Unsafe.Add(ref at, p * atStride);
                var a0 = TW.Load(ref ap, 0);
                var a1 = TW.Load(ref ap, w);
                ref T bp = ref Unsafe.Add(ref b, (nint)p * n);
                var s = TW.Broadcast(Unsafe.Add(ref bp, j0));
                c00 = TW.MulAdd(a0, s, c00);
                c10 = TW.MulAdd(a1, s, c10);
                s = TW.Broadcast(Unsafe.Add(ref bp, j1));
                c01 = TW.MulAdd(a0, s, c01);
                c11 = TW.MulAdd(a1, s, c11);
                s = TW.Broadcast(Unsafe.Add(ref bp, j2));
                c02 = TW.MulAdd(a0, s, c02);
                c12 = TW.MulAdd(a1, s, c12);
                s = TW.Broadcast(Unsafe.Add(ref bp, j3));
                c03 = TW.MulAdd(a0, s, c03);
                c13 = TW.MulAdd(a1, s, c13);
            }

            return;
        }

        for (int p = 0; p < kc; p++)
        {
            var a0 = TW.Load(ref Unsafe.Add(ref at, p * atStride), 0);
            ref T bp = ref Unsafe.Add(ref b, (nint)p * n);
            c00 = TW.MulAdd(a0, TW.Broadcast(Unsafe.Add(ref bp, j0)), c00);
            c01 = TW.MulAdd(a0, TW.Broadcast(Unsafe.Add(ref bp, j1)), c01);
            c02 = TW.MulAdd(a0, TW.Broadcast(Unsafe.Add(ref bp, j2)), c02);
            c03 = TW.MulAdd(a0, TW.Broadcast(Unsafe.Add(ref bp, j3)), c03);
        }
    }

    /// <summary>Writes one vector of rows for each of <paramref name="columns"/> columns into C (row stride n), from lane
    /// <paramref name="firstLane"/> on: stored (add false) or added to what is there, one scalar add per element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDown<T, TVector, TW>(ref T c, int n, TVector x0, TVector x1, TVector x2, TVector x3, int columns, int firstLane, bool add, T[] scratch)
        where T : IFloatingPointIeee754<T>
        where TVector : struct
        where TW : struct, IWidth<T, TVector>
    {
        if (typeof(TVector) == typeof(Vector512<float>) && columns == 4 && Avx512F.IsSupported)
        {
            WriteDownFour(ref Unsafe.As<T, float>(ref c), n, Unsafe.As<TVector, Vector512<float>>(ref x0), Unsafe.As<TVector, Vector512<float>>(ref x1),
                Unsafe.As<TVector, Vector512<float>>(ref x2), Unsafe.As<TVector, Vector512<float>>(ref x3), firstLane, add);
            return;
        }

        int w = TW.Count;
        for (int q = 0; q < columns; q++)
        {
            TW.Store(q switch { 0 => x0, 1 => x1, 2 => x2, _ => x3 }, ref scratch[0], 0);
            ref T cq = ref Unsafe.Add(ref c, q);
            for (int lane = firstLane; lane < w; lane++)
            {
                ref T e = ref Unsafe.Add(ref cq, (nint)lane * n);
                e = add ? e + scratch[lane] : scratch[lane];
            }
        }
    }

    /// <summary>Sixteen rows × four columns of C (row stride n) from four column vectors, rows from
    /// <paramref name="firstLane"/> on: transposed in registers (floats unpacked in pairs, then pairs in pairs), so each
    /// row's four elements are one 128-bit store, added to what is there (add) with the same one rounding per element as
    /// the scalar path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDownFour(ref float c, int n, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, int firstLane, bool add)
    {
        var t0 = Avx512F.UnpackLow(x0, x1).AsDouble();
        var t1 = Avx512F.UnpackHigh(x0, x1).AsDouble();
        var t2 = Avx512F.UnpackLow(x2, x3).AsDouble();
        var t3 = Avx512F.UnpackHigh(x2, x3).AsDouble();

        // Row 4L + k is 128-bit lane L of u_k.
        var u0 = Avx512F.UnpackLow(t0, t2).AsSingle();
        var u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        var u2 = Avx512F.UnpackLow(t1, t3).AsSingle();
        var u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
        for (int lane = 0; lane < 4; lane++)
        {
            int row = 4 * lane;
            ref float cr = ref Unsafe.Add(ref c, (nint)row * n);
            var l0 = Lane(u0, lane);
            var l1 = Lane(u1, lane);
            var l2 = Lane(u2, lane);
            var l3 = Lane(u3, lane);
            StoreRow(ref cr, l0, row >= firstLane, add);
            StoreRow(ref Unsafe.Add(ref cr, n), l1, row + 1 >= firstLane, add);
            StoreRow(ref Unsafe.Add(ref cr, 2 * n), l2, row + 2 >= firstLane, add);
            StoreRow(ref Unsafe.Add(ref cr, 3 * n), l3, row + 3 >= firstLane, add);
        }
    }

    /// <summary>128-bit lane <paramref name="lane"/> (0 … 3) of <paramref name="u"/>; also a row of a four-row vector
    /// in MatrixProduct.TailQuads.cs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Lane(Vector512<float> u, int lane) => lane switch
    {
        0 => u.GetLower().GetLower(),
        1 => u.GetLower().GetUpper(),
        2 => u.GetUpper().GetLower(),
        _ => u.GetUpper().GetUpper(),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref float c, Vector128<float> x, bool write, bool add)
    {
        if (write)
        {
            (add ? Vector128.LoadUnsafe(ref c) + x : x).StoreUnsafe(ref c);
        }
    }
}
