using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace BatchNormNotebooks;

/// <summary>The element-wise batch-norm passes (normalise, eval affine, the dx pass) in 512-bit vectors where the JIT
/// accelerates them, the columns after the last full vector as one vector ending at column n whose lanes before them
/// keep what the previous vector stored (instead of a scalar loop: at the MLP's 100 features, 4 columns of every row).
/// Each element sees the operations of the scalar loop in the same order, so the bits are those of the 256-bit and
/// scalar paths (BatchNormBitsTests hashes them). x and y (dy and dx) may be one array: a lane is loaded before it is
/// stored, and the overlapping vector's old lanes are the values already stored there.</summary>
internal static partial class BatchNormRows
{
    /// <summary>Rows of at most this many bytes (128 floats) are normalised in column strips, longer ones row by row. In
    /// alternation on one core the strips took 0.30 against 0.60 µs at (60, 100) and 2.3 against 2.7 µs at (256, 100),
    /// but 7.6 against 5.7 µs at (256, 256) and 549 against 108 µs at (1024, 1024), where a block of 32 rows no longer
    /// sits in L1 and each strip walks it a row's length apart.</summary>
    private const int StripRowBytes = 512;

    /// <summary>Whether rows of <paramref name="n"/> features take the 512-bit passes.</summary>
    private static bool Wide<T>(int n) => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= Vector512<T>.Count;

    /// <summary>Lanes of the vector ending at column n that hold columns not covered by the full vectors before it.</summary>
    private static Vector512<T> TailLanes<T>(int n) where T : IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, tail = n % w;
        return tail == 0 ? Vector512<T>.Zero : Vector512.GreaterThanOrEqual(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(w - tail)));
    }

    /// <summary><see cref="Normalize{T}"/>: y = ((x − μ)·scale) + shift, block of rows by block of rows, two vectors of
    /// columns at a time with their coefficients in registers while the block's rows go by (then one, then the
    /// overlapping last one), for rows of at most <see cref="StripRowBytes"/>. Row by row, with the coefficients loaded
    /// again for every vector of every row, the MLP's (60, 100) took 0.70–1.2 µs here against 0.24 µs in column strips.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeWide<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (n * Unsafe.SizeOf<T>() > StripRowBytes)
        {
            NormalizeWideRows(x, n, r0, r1, mean, scale, shift, y);
            return;
        }

        int w = Vector512<T>.Count, last = n - w;
        var tail = TailLanes<T>(n);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T y0 = ref MemoryMarshal.GetReference(y);
        ref T mr = ref MemoryMarshal.GetReference(mean);
        ref T kr = ref MemoryMarshal.GetReference(scale);
        ref T hr = ref MemoryMarshal.GetReference(shift);
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            int b1 = Math.Min(r1, b0 + BlockRows), j = 0;
            for (; j <= n - (2 * w); j += 2 * w)
            {
                nuint c0 = (nuint)j, c1 = (nuint)(j + w);
                Vector512<T> m0 = Vector512.LoadUnsafe(ref mr, c0), m1 = Vector512.LoadUnsafe(ref mr, c1);
                Vector512<T> k0 = Vector512.LoadUnsafe(ref kr, c0), k1 = Vector512.LoadUnsafe(ref kr, c1);
                Vector512<T> h0 = Vector512.LoadUnsafe(ref hr, c0), h1 = Vector512.LoadUnsafe(ref hr, c1);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + j), o1 = o + (nuint)w;
                    (((Vector512.LoadUnsafe(ref x0, o) - m0) * k0) + h0).StoreUnsafe(ref y0, o);
                    (((Vector512.LoadUnsafe(ref x0, o1) - m1) * k1) + h1).StoreUnsafe(ref y0, o1);
                }
            }

            for (; j <= last; j += w)
            {
                nuint c = (nuint)j;
                Vector512<T> m = Vector512.LoadUnsafe(ref mr, c), k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + j);
                    (((Vector512.LoadUnsafe(ref x0, o) - m) * k) + h).StoreUnsafe(ref y0, o);
                }
            }

            if (j < n)
            {
                nuint c = (nuint)last;
                Vector512<T> m = Vector512.LoadUnsafe(ref mr, c), k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + last);
                    var v = ((Vector512.LoadUnsafe(ref x0, o) - m) * k) + h;
                    Vector512.ConditionalSelect(tail, v, Vector512.LoadUnsafe(ref y0, o)).StoreUnsafe(ref y0, o);
                }
            }
        }
    }

    /// <summary><see cref="Affine{T}"/>: y = (x·scale) + shift, in column strips as <see cref="NormalizeWide{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AffineWide<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (n * Unsafe.SizeOf<T>() > StripRowBytes)
        {
            AffineWideRows(x, n, r0, r1, scale, shift, y);
            return;
        }

        int w = Vector512<T>.Count, last = n - w;
        var tail = TailLanes<T>(n);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T y0 = ref MemoryMarshal.GetReference(y);
        ref T kr = ref MemoryMarshal.GetReference(scale);
        ref T hr = ref MemoryMarshal.GetReference(shift);
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            int b1 = Math.Min(r1, b0 + BlockRows), j = 0;
            for (; j <= n - (2 * w); j += 2 * w)
            {
                nuint c0 = (nuint)j, c1 = (nuint)(j + w);
                Vector512<T> k0 = Vector512.LoadUnsafe(ref kr, c0), k1 = Vector512.LoadUnsafe(ref kr, c1);
                Vector512<T> h0 = Vector512.LoadUnsafe(ref hr, c0), h1 = Vector512.LoadUnsafe(ref hr, c1);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + j), o1 = o + (nuint)w;
                    ((Vector512.LoadUnsafe(ref x0, o) * k0) + h0).StoreUnsafe(ref y0, o);
                    ((Vector512.LoadUnsafe(ref x0, o1) * k1) + h1).StoreUnsafe(ref y0, o1);
                }
            }

            for (; j <= last; j += w)
            {
                nuint c = (nuint)j;
                Vector512<T> k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + j);
                    ((Vector512.LoadUnsafe(ref x0, o) * k) + h).StoreUnsafe(ref y0, o);
                }
            }

            if (j < n)
            {
                nuint c = (nuint)last;
                Vector512<T> k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + last);
                    var v = (Vector512.LoadUnsafe(ref x0, o) * k) + h;
                    Vector512.ConditionalSelect(tail, v, Vector512.LoadUnsafe(ref y0, o)).StoreUnsafe(ref y0, o);
                }
            }
        }
    }

    /// <summary><see cref="NormalizeWide{T}"/> row by row, for rows longer than <see cref="StripRowBytes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeWideRows<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, last = n - w;
        var tail = TailLanes<T>(n);
        ref T mr = ref MemoryMarshal.GetReference(mean);
        ref T kr = ref MemoryMarshal.GetReference(scale);
        ref T hr = ref MemoryMarshal.GetReference(shift);
        for (int i = r0; i < r1; i++)
        {
            ref T xi = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), (nint)i * n);
            ref T yi = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), (nint)i * n);
            int j = 0;
            for (; j <= last; j += w)
            {
                (((Vector512.LoadUnsafe(ref xi, (nuint)j) - Vector512.LoadUnsafe(ref mr, (nuint)j)) * Vector512.LoadUnsafe(ref kr, (nuint)j))
                    + Vector512.LoadUnsafe(ref hr, (nuint)j)).StoreUnsafe(ref yi, (nuint)j);
            }

            if (j < n)
            {
                var v = ((Vector512.LoadUnsafe(ref xi, (nuint)last) - Vector512.LoadUnsafe(ref mr, (nuint)last)) * Vector512.LoadUnsafe(ref kr, (nuint)last))
                    + Vector512.LoadUnsafe(ref hr, (nuint)last);
                Vector512.ConditionalSelect(tail, v, Vector512.LoadUnsafe(ref yi, (nuint)last)).StoreUnsafe(ref yi, (nuint)last);
            }
        }
    }

    /// <summary><see cref="AffineWide{T}"/> row by row, for rows longer than <see cref="StripRowBytes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AffineWideRows<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, last = n - w;
        var tail = TailLanes<T>(n);
        ref T kr = ref MemoryMarshal.GetReference(scale);
        ref T hr = ref MemoryMarshal.GetReference(shift);
        for (int i = r0; i < r1; i++)
        {
            ref T xi = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), (nint)i * n);
            ref T yi = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), (nint)i * n);
            int j = 0;
            for (; j <= last; j += w)
            {
                ((Vector512.LoadUnsafe(ref xi, (nuint)j) * Vector512.LoadUnsafe(ref kr, (nuint)j)) + Vector512.LoadUnsafe(ref hr, (nuint)j)).StoreUnsafe(ref yi, (nuint)j);
            }

            if (j < n)
            {
                var v = (Vector512.LoadUnsafe(ref xi, (nuint)last) * Vector512.LoadUnsafe(ref kr, (nuint)last)) + Vector512.LoadUnsafe(ref hr, (nuint)last);
                Vector512.ConditionalSelect(tail, v, Vector512.LoadUnsafe(ref yi, (nuint)last)).StoreUnsafe(ref yi, (nuint)last);
            }
        }
    }

    /// <summary><see cref="Backward{T}"/>: dx = scale·dy + shift − slope·(x − μ), a column's coefficients in registers
    /// while a block of rows goes by (two vectors at a time, then one, then the overlapping last one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardWide<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, ReadOnlySpan<T> slope, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, last = n - w;
        var tail = TailLanes<T>(n);
        ref T g0 = ref MemoryMarshal.GetReference(dy);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T d0 = ref MemoryMarshal.GetReference(dx);
        ref T mr = ref MemoryMarshal.GetReference(mean);
        ref T kr = ref MemoryMarshal.GetReference(scale);
        ref T hr = ref MemoryMarshal.GetReference(shift);
        ref T lr = ref MemoryMarshal.GetReference(slope);
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            int b1 = Math.Min(r1, b0 + BlockRows), j = 0;
            for (; j <= n - (2 * w); j += 2 * w)
            {
                nuint c0 = (nuint)j, c1 = (nuint)(j + w);
                Vector512<T> m0 = Vector512.LoadUnsafe(ref mr, c0), m1 = Vector512.LoadUnsafe(ref mr, c1);
                Vector512<T> k0 = Vector512.LoadUnsafe(ref kr, c0), k1 = Vector512.LoadUnsafe(ref kr, c1);
                Vector512<T> h0 = Vector512.LoadUnsafe(ref hr, c0), h1 = Vector512.LoadUnsafe(ref hr, c1);
                Vector512<T> l0 = Vector512.LoadUnsafe(ref lr, c0), l1 = Vector512.LoadUnsafe(ref lr, c1);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + j), o1 = o + (nuint)w;
                    ((k0 * Vector512.LoadUnsafe(ref g0, o)) + h0 - (l0 * (Vector512.LoadUnsafe(ref x0, o) - m0))).StoreUnsafe(ref d0, o);
                    ((k1 * Vector512.LoadUnsafe(ref g0, o1)) + h1 - (l1 * (Vector512.LoadUnsafe(ref x0, o1) - m1))).StoreUnsafe(ref d0, o1);
                }
            }

            for (; j <= last; j += w)
            {
                nuint c = (nuint)j;
                Vector512<T> m = Vector512.LoadUnsafe(ref mr, c), k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c), l = Vector512.LoadUnsafe(ref lr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + j);
                    ((k * Vector512.LoadUnsafe(ref g0, o)) + h - (l * (Vector512.LoadUnsafe(ref x0, o) - m))).StoreUnsafe(ref d0, o);
                }
            }

            if (j < n)
            {
                nuint c = (nuint)last;
                Vector512<T> m = Vector512.LoadUnsafe(ref mr, c), k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c), l = Vector512.LoadUnsafe(ref lr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + last);
                    var v = (k * Vector512.LoadUnsafe(ref g0, o)) + h - (l * (Vector512.LoadUnsafe(ref x0, o) - m));
                    Vector512.ConditionalSelect(tail, v, Vector512.LoadUnsafe(ref d0, o)).StoreUnsafe(ref d0, o);
                }
            }
        }
    }

    /// <summary><see cref="BlockDeviations{T}"/> in 512-bit vectors, four at a time: each strip's per-feature sums are
    /// four independent chains per row (one vector's chain over the rows waits for each addition), and the columns after
    /// the last full strip are one more strip of vectors ending at column n (a repeated column gets the same sums again).
    /// At the MLP's (60, 100): two strips per block instead of three 256-bit strips and a single vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockDeviationsWide<T>(ReadOnlySpan<T> x, int n, int b0, int b1, T inverse, Span<T> center, Span<T> s1, Span<T> s2)
        where T : IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, last = n - w;
        ref T x0 = ref MemoryMarshal.GetReference(x);
        var inv = Vector512.Create(inverse);
        for (int j = 0; j < n; j += 4 * w)
        {
            nuint j0 = (nuint)Math.Min(j, last), j1 = (nuint)Math.Min(j + w, last), j2 = (nuint)Math.Min(j + (2 * w), last), j3 = (nuint)Math.Min(j + (3 * w), last);
            Vector512<T> c0 = Vector512<T>.Zero, c1 = Vector512<T>.Zero, c2 = Vector512<T>.Zero, c3 = Vector512<T>.Zero;
            for (int i = b0; i < b1; i++)
            {
                ref T xi = ref Unsafe.Add(ref x0, (nint)i * n);
                c0 += Vector512.LoadUnsafe(ref xi, j0);
                c1 += Vector512.LoadUnsafe(ref xi, j1);
                c2 += Vector512.LoadUnsafe(ref xi, j2);
                c3 += Vector512.LoadUnsafe(ref xi, j3);
            }

            c0 *= inv;
            c1 *= inv;
            c2 *= inv;
            c3 *= inv;
            Vector512<T> a0 = Vector512<T>.Zero, a1 = Vector512<T>.Zero, a2 = Vector512<T>.Zero, a3 = Vector512<T>.Zero;
            Vector512<T> q0 = Vector512<T>.Zero, q1 = Vector512<T>.Zero, q2 = Vector512<T>.Zero, q3 = Vector512<T>.Zero;
            for (int i = b0; i < b1; i++)
            {
                ref T xi = ref Unsafe.Add(ref x0, (nint)i * n);
                var d0 = Vector512.LoadUnsafe(ref xi, j0) - c0;
                var d1 = Vector512.LoadUnsafe(ref xi, j1) - c1;
                var d2 = Vector512.LoadUnsafe(ref xi, j2) - c2;
                var d3 = Vector512.LoadUnsafe(ref xi, j3) - c3;
                a0 += d0;
                a1 += d1;
                a2 += d2;
                a3 += d3;
                q0 += d0 * d0;
                q1 += d1 * d1;
                q2 += d2 * d2;
                q3 += d3 * d3;
            }

            StoreAt(center, j0, j1, j2, j3, c0, c1, c2, c3);
            StoreAt(s1, j0, j1, j2, j3, a0, a1, a2, a3);
            StoreAt(s2, j0, j1, j2, j3, q0, q1, q2, q3);
        }
    }

    /// <summary><see cref="BlockDyTerms{T}"/> in 512-bit vectors, four at a time, strips as in
    /// <see cref="BlockDeviationsWide{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockDyTermsWide<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int b0, int b1, ReadOnlySpan<T> mean,
        Span<T> sumDy, Span<T> sumDyCentered, Span<T> sumCentered)
        where T : IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, last = n - w;
        ref T g0 = ref MemoryMarshal.GetReference(dy);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T mr = ref MemoryMarshal.GetReference(mean);
        for (int j = 0; j < n; j += 4 * w)
        {
            nuint j0 = (nuint)Math.Min(j, last), j1 = (nuint)Math.Min(j + w, last), j2 = (nuint)Math.Min(j + (2 * w), last), j3 = (nuint)Math.Min(j + (3 * w), last);
            Vector512<T> m0 = Vector512.LoadUnsafe(ref mr, j0), m1 = Vector512.LoadUnsafe(ref mr, j1), m2 = Vector512.LoadUnsafe(ref mr, j2), m3 = Vector512.LoadUnsafe(ref mr, j3);
            Vector512<T> s0 = Vector512<T>.Zero, s1 = Vector512<T>.Zero, s2 = Vector512<T>.Zero, s3 = Vector512<T>.Zero;
            Vector512<T> p0 = Vector512<T>.Zero, p1 = Vector512<T>.Zero, p2 = Vector512<T>.Zero, p3 = Vector512<T>.Zero;
            Vector512<T> c0 = Vector512<T>.Zero, c1 = Vector512<T>.Zero, c2 = Vector512<T>.Zero, c3 = Vector512<T>.Zero;
            for (int i = b0; i < b1; i++)
            {
                ref T gi = ref Unsafe.Add(ref g0, (nint)i * n);
                ref T xi = ref Unsafe.Add(ref x0, (nint)i * n);
                var gv0 = Vector512.LoadUnsafe(ref gi, j0);
                var gv1 = Vector512.LoadUnsafe(ref gi, j1);
                var gv2 = Vector512.LoadUnsafe(ref gi, j2);
                var gv3 = Vector512.LoadUnsafe(ref gi, j3);
                var d0 = Vector512.LoadUnsafe(ref xi, j0) - m0;
                var d1 = Vector512.LoadUnsafe(ref xi, j1) - m1;
                var d2 = Vector512.LoadUnsafe(ref xi, j2) - m2;
                var d3 = Vector512.LoadUnsafe(ref xi, j3) - m3;
                s0 += gv0;
                s1 += gv1;
                s2 += gv2;
                s3 += gv3;
                p0 += gv0 * d0;
                p1 += gv1 * d1;
                p2 += gv2 * d2;
                p3 += gv3 * d3;
                c0 += d0;
                c1 += d1;
                c2 += d2;
                c3 += d3;
            }

            StoreAt(sumDy, j0, j1, j2, j3, s0, s1, s2, s3);
            StoreAt(sumDyCentered, j0, j1, j2, j3, p0, p1, p2, p3);
            StoreAt(sumCentered, j0, j1, j2, j3, c0, c1, c2, c3);
        }
    }

    /// <summary>Four vectors stored at four column offsets (a repeated offset gets the same values again).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreAt<T>(Span<T> destination, nuint j0, nuint j1, nuint j2, nuint j3, Vector512<T> v0, Vector512<T> v1, Vector512<T> v2, Vector512<T> v3)
    {
        ref T d = ref MemoryMarshal.GetReference(destination);
        v0.StoreUnsafe(ref d, j0);
        v1.StoreUnsafe(ref d, j1);
        v2.StoreUnsafe(ref d, j2);
        v3.StoreUnsafe(ref d, j3);
    }
}
