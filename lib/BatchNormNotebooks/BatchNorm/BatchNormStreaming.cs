using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BatchNormNotebooks;

/// <summary>
/// The batch-norm passes that write a whole (batch, features) tensor — eval y, training y and dx — for outputs far
/// larger than the caches, written with non-temporal (cache-bypassing) stores. An ordinary store first reads the
/// destination's cache line from memory ("read for ownership"), so y = f(x) moves three tensors' worth of bytes; a
/// non-temporal store writes the line without reading it, two tensors' worth. Worth it only when the output would not
/// stay in cache anyway — hence <see cref="MinimumBytes"/>. Each method computes exactly the expression of its
/// ordinary twin in <see cref="BatchNormRows"/> (same operations in the same order, no fused multiply-add), so both
/// paths give the same bits; tests compare them.
/// </summary>
internal static class BatchNormStreaming
{
    /// <summary>Outputs at least this large (per call, i.e. per thread) use non-temporal stores: four times this
    /// machine class's 1 MiB L2, a size at which y no longer stays in the private caches anyway.</summary>
    public const int MinimumBytes = 4 << 20;

    /// <summary>Whether <see cref="TryAffine{T}"/> takes the streaming path for an output of this many elements.</summary>
    public static bool Applies<T>(int length, int features) where T : IFloatingPointIeee754<T> =>
        Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && features >= Vector256<T>.Count && (long)length * Unsafe.SizeOf<T>() >= MinimumBytes;

    /// <summary>
    /// Effectively computes y[i, j] = x[i, j]·scale[j] + shift[j] for a row-major (rows, n) block, the same rounding
    /// as the row-by-row loop (a product, then a sum; no fused multiply-add). Returns false, writing nothing, when
    /// <see cref="Applies{T}"/> is false.
    /// </summary>
    /// <param name="x">Input, (rows, n) row-major.</param>
    /// <param name="n">Features per row.</param>
    /// <param name="scale">Per-feature scale, length n.</param>
    /// <param name="shift">Per-feature shift, length n.</param>
    /// <param name="y">Destination, the length of x.</param>
    public static bool TryAffine<T>(ReadOnlySpan<T> x, int n, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!Applies<T>(y.Length, n))
        {
            return false;
        }

        if (typeof(T) == typeof(float))
        {
            Affine(As<T, float>(x), n, As<T, float>(scale), As<T, float>(shift), AsWritable<T, float>(y));
        }
        else
        {
            Affine(As<T, double>(x), n, As<T, double>(scale), As<T, double>(shift), AsWritable<T, double>(y));
        }

        return true;
    }

    /// <summary><see cref="BatchNormRows.Normalize{T}"/> with non-temporal stores for rows [r0, r1); false (nothing
    /// written) when <see cref="Applies{T}"/> is false for that range.</summary>
    public static bool TryNormalize<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale,
        ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!Applies<T>((r1 - r0) * n, n))
        {
            return false;
        }

        if (typeof(T) == typeof(float))
        {
            Normalize(As<T, float>(x), n, r0, r1, As<T, float>(mean), As<T, float>(scale), As<T, float>(shift), AsWritable<T, float>(y));
        }
        else
        {
            Normalize(As<T, double>(x), n, r0, r1, As<T, double>(mean), As<T, double>(scale), As<T, double>(shift), AsWritable<T, double>(y));
        }

        return true;
    }

    /// <summary><see cref="BatchNormRows.Backward{T}"/> with non-temporal stores for rows [r0, r1); false (nothing
    /// written) when <see cref="Applies{T}"/> is false for that range.</summary>
    public static bool TryBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, ReadOnlySpan<T> slope, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        if (!Applies<T>((r1 - r0) * n, n))
        {
            return false;
        }

        if (typeof(T) == typeof(float))
        {
            Backward(As<T, float>(dy), As<T, float>(x), n, r0, r1, As<T, float>(mean), As<T, float>(scale), As<T, float>(shift), As<T, float>(slope), AsWritable<T, float>(dx));
        }
        else
        {
            Backward(As<T, double>(dy), As<T, double>(x), n, r0, r1, As<T, double>(mean), As<T, double>(scale), As<T, double>(shift), As<T, double>(slope), AsWritable<T, double>(dx));
        }

        return true;
    }

    /// <summary>Scalar elements at the start of a row before <paramref name="row"/> is 32-byte aligned.</summary>
    private static unsafe int Peel<T>(T* row, int n) where T : unmanaged =>
        Math.Min(n, (int)((32 - ((nuint)row & 31)) & 31) / sizeof(T));

    /// <summary>Row by row: scalar until the row's output is 32-byte aligned, vectors stored non-temporally, scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Normalize<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale,
        ReadOnlySpan<T> shift, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector256<T>.Count;
        fixed (T* px = x, py = y, pm = mean, ps = scale, pb = shift)
        {
            for (int i = r0; i < r1; i++)
            {
                T* xi = px + ((nint)i * n), yi = py + ((nint)i * n);
                int j = 0, peel = Peel(yi, n);
                for (; j < peel; j++)
                {
                    yi[j] = ((xi[j] - pm[j]) * ps[j]) + pb[j];
                }

                for (; j <= n - width; j += width)
                {
                    Vector256.StoreAlignedNonTemporal(((Vector256.Load(xi + j) - Vector256.Load(pm + j)) * Vector256.Load(ps + j)) + Vector256.Load(pb + j), yi + j);
                }

                for (; j < n; j++)
                {
                    yi[j] = ((xi[j] - pm[j]) * ps[j]) + pb[j];
                }
            }
        }

        Fence();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, ReadOnlySpan<T> slope, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector256<T>.Count;
        fixed (T* pg = dy, px = x, pd = dx, pm = mean, ps = scale, pb = shift, pl = slope)
        {
            for (int i = r0; i < r1; i++)
            {
                T* g = pg + ((nint)i * n), xi = px + ((nint)i * n), d = pd + ((nint)i * n);
                int j = 0, peel = Peel(d, n);
                for (; j < peel; j++)
                {
                    d[j] = (ps[j] * g[j]) + pb[j] - (pl[j] * (xi[j] - pm[j]));
                }

                for (; j <= n - width; j += width)
                {
                    var v = (Vector256.Load(ps + j) * Vector256.Load(g + j)) + Vector256.Load(pb + j) - (Vector256.Load(pl + j) * (Vector256.Load(xi + j) - Vector256.Load(pm + j)));
                    Vector256.StoreAlignedNonTemporal(v, d + j);
                }

                for (; j < n; j++)
                {
                    d[j] = (ps[j] * g[j]) + pb[j] - (pl[j] * (xi[j] - pm[j]));
                }
            }
        }

        Fence();
    }

    /// <summary>Non-temporal stores are weakly ordered: make them visible before anyone reads the output.</summary>
    private static void Fence()
    {
        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }

    private static ReadOnlySpan<TTo> As<TFrom, TTo>(ReadOnlySpan<TFrom> span) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(span)), span.Length);

    private static Span<TTo> AsWritable<TFrom, TTo>(Span<TFrom> span) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(span)), span.Length);

    /// <summary>The loop: scalar until y is 32-byte aligned, then 256-bit vectors stored non-temporally, then the
    /// tail. A vector may straddle two rows, so the coefficients are read from copies wrapped around by one vector
    /// (element j holds scale[j mod n]).</summary>
    private static void Affine<T>(ReadOnlySpan<T> x, int n, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector256<T>.Count;
        T[] rented = ArrayPool<T>.Shared.Rent(2 * (n + width));
        try
        {
            Affine(x, n, scale, shift, y, rented.AsSpan(0, n + width), rented.AsSpan(n + width, n + width));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Affine<T>(ReadOnlySpan<T> x, int n, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y,
        Span<T> scaleWrapped, Span<T> shiftWrapped)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector256<T>.Count;
        for (int j = 0; j < n + width; j++)
        {
            scaleWrapped[j] = scale[j % n];
            shiftWrapped[j] = shift[j % n];
        }

        fixed (T* px = x, py = y, ps = scaleWrapped, pb = shiftWrapped)
        {
            int length = y.Length;
            int k = 0, col = 0;
            int peel = Math.Min(length, (int)((32 - ((nuint)py & 31)) & 31) / sizeof(T));
            for (; k < peel; k++)
            {
                py[k] = (px[k] * ps[col]) + pb[col];
                col = col + 1 == n ? 0 : col + 1;
            }

            for (; k <= length - width; k += width)
            {
                Vector256<T> v = (Vector256.Load(px + k) * Vector256.Load(ps + col)) + Vector256.Load(pb + col);
                Vector256.StoreAlignedNonTemporal(v, py + k);
                col += width;
                if (col >= n)
                {
                    col -= n;
                }
            }

            for (; k < length; k++)
            {
                py[k] = (px[k] * ps[col]) + pb[col];
                col = col + 1 == n ? 0 : col + 1;
            }
        }

        Fence();
    }
}
