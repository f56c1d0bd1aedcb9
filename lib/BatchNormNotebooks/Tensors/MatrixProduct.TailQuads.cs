using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BatchNormNotebooks;

/// <summary>The columns of A·B left after the last whole panel, four rows × four columns to a 512-bit vector.</summary>
/// <remarks>Across the row, one vector per row of C, the 4 columns a 100-wide layer leaves after its 48-column panels fill
/// 4 of a 256-bit vector's 8 lanes, and every fused multiply-add needs its own broadcast of A: a (60, 784)·(784, 100)
/// product on one core took 52.7 and 59.2 µs in two runs against 44.1 and 48.5 µs for its first 96 columns alone, so
/// 16–18 % of the time went to 4 % of the multiply-adds. Here lane 4r + q of a float vector holds C[i + r, j + q]: for each p, one 128-bit broadcast of B[p, j … j + 4)
/// serves four such vectors (16 rows), and each vector's A part, [A[i, p] × 4, A[i + 1, p] × 4, …], is one in-lane
/// permute of the four rows' entries p … p + 4, loaded 128 bits per row. Every lane is useful. Each element of C is
/// still the chain fma(a[i, p], b[p, j], ·) over p from zero, added to C once per slice: the same bits as the other
/// paths. Float with AVX-512F only; A's rows contiguous (A·B and A·Bᵀ, not Aᵀ·B, whose columns run down the rows).
/// Alternating with the across-the-row path in one process (20 rounds, medians): (60, 784)·(784, 100) on one core
/// 50.0 → 45.7 µs, (60, 100)·(100, 100) 6.2 → 5.6 µs, (60, 100)·(100, 10) 2.0 → 1.5 µs; the MNIST MLP's training step
/// 135.4 → 131.0 µs, faster in 40 of 40 rounds.</remarks>
public static partial class MatrixProduct
{
    /// <summary>Columns j … nCols of C (m rows, row stride n) (+)= A·B for one slice of kc rows of B, where A(i, p) is at
    /// a[i·ars + p] (rows contiguous), m ≥ 4 and nCols ≥ 4. Groups of four columns; the last group ends at nCols and
    /// leaves the columns before it, done by the group before, as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TailQuadColumns(ref float a, nint ars, ref float b, int n, ref float c, int m, int kc, int j, int nCols, bool add)
    {
        for (int j0 = j; j0 < nCols; j0 += 4)
        {
            int start = Math.Min(j0, nCols - 4);
            var written = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(j0 - start)).AsSingle();
            ref float bj = ref Unsafe.Add(ref b, start);
            ref float cj = ref Unsafe.Add(ref c, start);
            int i = 0;
            for (; i + 16 <= m; i += 16)
            {
                Quads4(ref Unsafe.Add(ref a, i * ars), ars, ref bj, n, kc, out var q0, out var q1, out var q2, out var q3);
                WriteQuads4(ref Unsafe.Add(ref cj, (nint)i * n), n, q0, q1, q2, q3, written, 0, add);
            }

            if (i < m && m >= 16)
            {
                // The last 16 rows end at row m; rows before i are done and kept.
                int r = m - 16;
                Quads4(ref Unsafe.Add(ref a, r * ars), ars, ref bj, n, kc, out var q0, out var q1, out var q2, out var q3);
                WriteQuads4(ref Unsafe.Add(ref cj, (nint)r * n), n, q0, q1, q2, q3, written, i - r, add);
                continue;
            }

            for (; i < m; i += 4)
            {
                int r = Math.Min(i, m - 4);
                var q = Quad(ref Unsafe.Add(ref a, r * ars), ars, ref bj, n, kc);
                WriteQuad(ref Unsafe.Add(ref cj, (nint)r * n), n, q, written, i - r, add);
            }
        }
    }

    /// <summary>Sixteen rows × four columns: four vectors, one per four rows, sharing each p's broadcast of B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quads4(ref float a, nint ars, ref float b, int n, int kc, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3)
    {
        c0 = c1 = c2 = c3 = default;
        nint ars4 = 4 * ars;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            ref float ap = ref Unsafe.Add(ref a, p);
            var a0 = FourRows(ref ap, ars);
            var a1 = FourRows(ref Unsafe.Add(ref ap, ars4), ars);
            var a2 = FourRows(ref Unsafe.Add(ref ap, 2 * ars4), ars);
            var a3 = FourRows(ref Unsafe.Add(ref ap, 3 * ars4), ars);
            ref float bp = ref Unsafe.Add(ref b, (nint)p * n);
            var s = FourColumns(ref bp);
            c0 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a0, 0x00), s, c0);
            c1 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a1, 0x00), s, c1);
            c2 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a2, 0x00), s, c2);
            c3 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a3, 0x00), s, c3);
            s = FourColumns(ref Unsafe.Add(ref bp, n));
            c0 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a0, 0x55), s, c0);
            c1 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a1, 0x55), s, c1);
            c2 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a2, 0x55), s, c2);
            c3 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a3, 0x55), s, c3);
            s = FourColumns(ref Unsafe.Add(ref bp, 2 * n));
            c0 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a0, 0xAA), s, c0);
            c1 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a1, 0xAA), s, c1);
            c2 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a2, 0xAA), s, c2);
            c3 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a3, 0xAA), s, c3);
            s = FourColumns(ref Unsafe.Add(ref bp, 3 * n));
            c0 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a0, 0xFF), s, c0);
            c1 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a1, 0xFF), s, c1);
            c2 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a2, 0xFF), s, c2);
            c3 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(a3, 0xFF), s, c3);
        }

        for (; p < kc; p++)
        {
            ref float ap = ref Unsafe.Add(ref a, p);
            var s = FourColumns(ref Unsafe.Add(ref b, (nint)p * n));
            c0 = Vector512.FusedMultiplyAdd(Spread(ref ap, ars), s, c0);
            c1 = Vector512.FusedMultiplyAdd(Spread(ref Unsafe.Add(ref ap, ars4), ars), s, c1);
            c2 = Vector512.FusedMultiplyAdd(Spread(ref Unsafe.Add(ref ap, 2 * ars4), ars), s, c2);
            c3 = Vector512.FusedMultiplyAdd(Spread(ref Unsafe.Add(ref ap, 3 * ars4), ars), s, c3);
        }
    }

    /// <summary>Four rows × four columns (products with fewer than 16 rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quad(ref float a, nint ars, ref float b, int n, int kc)
    {
        var c0 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            c0 = Vector512.FusedMultiplyAdd(Spread(ref Unsafe.Add(ref a, p), ars), FourColumns(ref Unsafe.Add(ref b, (nint)p * n)), c0);
        }

        return c0;
    }

    /// <summary>[A[i, p … p + 4), A[i + 1, p … p + 4), A[i + 2, …), A[i + 3, …)]: four rows' next four entries, one per
    /// 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FourRows(ref float a, nint ars) =>
        Vector512.Create(
            Vector256.Create(Vector128.LoadUnsafe(ref a), Vector128.LoadUnsafe(ref Unsafe.Add(ref a, ars))),
            Vector256.Create(Vector128.LoadUnsafe(ref Unsafe.Add(ref a, 2 * ars)), Vector128.LoadUnsafe(ref Unsafe.Add(ref a, 3 * ars))));

    /// <summary>[A[i, p] × 4, A[i + 1, p] × 4, A[i + 2, p] × 4, A[i + 3, p] × 4].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Spread(ref float a, nint ars) =>
        Vector512.Create(
            Vector256.Create(Vector128.Create(a), Vector128.Create(Unsafe.Add(ref a, ars))),
            Vector256.Create(Vector128.Create(Unsafe.Add(ref a, 2 * ars)), Vector128.Create(Unsafe.Add(ref a, 3 * ars))));

    /// <summary>B[p, j … j + 4) in each of the four 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FourColumns(ref float b)
    {
        var v = Vector128.LoadUnsafe(ref b).ToVector256Unsafe().ToVector512Unsafe();
        return Avx512F.Shuffle4x128(v, v, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteQuads4(ref float c, int n, Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3, Vector128<float> written, int firstRow, bool add)
    {
        WriteQuad(ref c, n, q0, written, firstRow, add);
        WriteQuad(ref Unsafe.Add(ref c, 4 * n), n, q1, written, firstRow - 4, add);
        WriteQuad(ref Unsafe.Add(ref c, 8 * n), n, q2, written, firstRow - 8, add);
        WriteQuad(ref Unsafe.Add(ref c, 12 * n), n, q3, written, firstRow - 12, add);
    }

    /// <summary>Rows firstRow … 4 of a four-row vector into C (row stride n): in each row the lanes of
    /// <paramref name="written"/> stored (add false) or added to what is there, the others kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteQuad(ref float c, int n, Vector512<float> q, Vector128<float> written, int firstRow, bool add)
    {
        for (int r = Math.Max(firstRow, 0); r < 4; r++)
        {
            var x = Lane(q, r);
            ref float cr = ref Unsafe.Add(ref c, (nint)r * n);
            var old = Vector128.LoadUnsafe(ref cr);
            Vector128.ConditionalSelect(written, add ? old + x : x, old).StoreUnsafe(ref cr);
        }
    }
}
