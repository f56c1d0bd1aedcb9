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

    /// <summary><see cref="Normalize{T}"/>: y = ((x − μ)·scale) + shift.</summary>
    private static void NormalizeWide<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T> =>
        MapWide<T, NormalizeMap<T>>(x, n, r0, r1, mean, scale, shift, y);

    /// <summary><see cref="Affine{T}"/>: y = (x·scale) + shift (no mean: <paramref name="scale"/> stands in for it, unread).</summary>
    private static void AffineWide<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T> =>
        MapWide<T, AffineMap<T>>(x, n, r0, r1, scale, scale, shift, y);

    /// <summary>An element-wise pass y = TMap(x, μ, scale, shift) per feature.</summary>
    private interface IFeatureMap<T>
    {
        static abstract Vector512<T> Of(Vector512<T> x, Vector512<T> mean, Vector512<T> scale, Vector512<T> shift);
    }

    /// <summary>((x − μ)·scale) + shift, the training forward's normalisation.</summary>
    private readonly struct NormalizeMap<T> : IFeatureMap<T>
        where T : IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Of(Vector512<T> x, Vector512<T> mean, Vector512<T> scale, Vector512<T> shift) => ((x - mean) * scale) + shift;
    }

    /// <summary>(x·scale) + shift, the eval forward's affine map.</summary>
    private readonly struct AffineMap<T> : IFeatureMap<T>
        where T : IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Of(Vector512<T> x, Vector512<T> mean, Vector512<T> scale, Vector512<T> shift) => (x * scale) + shift;
    }

    /// <summary>y = TMap(x, μ, scale, shift) for rows [r0, r1): for rows of at most <see cref="StripRowBytes"/>, block of
    /// rows by block of rows, two vectors of columns at a time with their coefficients in registers while the block's
    /// rows go by (then one, then the overlapping last one); longer rows row by row. Row by row, with the coefficients
    /// loaded again for every vector of every row, the MLP's (60, 100) normalisation took 0.70–1.2 µs here against
    /// 0.24 µs in column strips.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MapWide<T, TMap>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
        where TMap : struct, IFeatureMap<T>
    {
        int w = Vector512<T>.Count, last = n - w;
        var tail = TailLanes<T>(n);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T y0 = ref MemoryMarshal.GetReference(y);
        ref T mr = ref MemoryMarshal.GetReference(mean);
        ref T kr = ref MemoryMarshal.GetReference(scale);
        ref T hr = ref MemoryMarshal.GetReference(shift);
        if (n * Unsafe.SizeOf<T>() > StripRowBytes)
        {
            for (int i = r0; i < r1; i++)
            {
                ref T xi = ref Unsafe.Add(ref x0, (nint)i * n);
                ref T yi = ref Unsafe.Add(ref y0, (nint)i * n);
                int j = 0;
                for (; j <= last; j += w)
                {
                    nuint c = (nuint)j;
                    TMap.Of(Vector512.LoadUnsafe(ref xi, c), Vector512.LoadUnsafe(ref mr, c), Vector512.LoadUnsafe(ref kr, c), Vector512.LoadUnsafe(ref hr, c)).StoreUnsafe(ref yi, c);
                }

                if (j < n)
                {
                    nuint c = (nuint)last;
                    var v = TMap.Of(Vector512.LoadUnsafe(ref xi, c), Vector512.LoadUnsafe(ref mr, c), Vector512.LoadUnsafe(ref kr, c), Vector512.LoadUnsafe(ref hr, c));
                    Vector512.ConditionalSelect(tail, v, Vector512.LoadUnsafe(ref yi, c)).StoreUnsafe(ref yi, c);
                }
            }

            return;
        }

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
                    TMap.Of(Vector512.LoadUnsafe(ref x0, o), m0, k0, h0).StoreUnsafe(ref y0, o);
                    TMap.Of(Vector512.LoadUnsafe(ref x0, o1), m1, k1, h1).StoreUnsafe(ref y0, o1);
                }
            }

            for (; j <= last; j += w)
            {
                nuint c = (nuint)j;
                Vector512<T> m = Vector512.LoadUnsafe(ref mr, c), k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + j);
                    TMap.Of(Vector512.LoadUnsafe(ref x0, o), m, k, h).StoreUnsafe(ref y0, o);
                }
            }

            if (j < n)
            {
                nuint c = (nuint)last;
                Vector512<T> m = Vector512.LoadUnsafe(ref mr, c), k = Vector512.LoadUnsafe(ref kr, c), h = Vector512.LoadUnsafe(ref hr, c);
                for (int i = b0; i < b1; i++)
                {
                    nuint o = (nuint)((i * n) + last);
                    var v = TMap.Of(Vector512.LoadUnsafe(ref x0, o), m, k, h);
                    Vector512.ConditionalSelect(tail, v, Vector512.LoadUnsafe(ref y0, o)).StoreUnsafe(ref y0, o);
                }
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
}
