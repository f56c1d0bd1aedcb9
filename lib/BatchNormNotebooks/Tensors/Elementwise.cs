using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace BatchNormNotebooks;

/// <summary>
/// The element-wise steps of a training step (gradients through a sigmoid, the SGD update, bias gradients), as the
/// library's own vector loops. Same operations in the same order as the TensorPrimitives calls they replace (a
/// product, then a sum; no fused multiply-add), so the same bits. The reason is the JIT: TensorPrimitives' generic
/// code starts in a slow instrumented tier and stayed there for seconds in a notebook kernel (a cold 500-step
/// Figure 1 cell took over 3 s, warm under 1.5 s); AggressiveOptimization compiles these fully optimized at once.
/// Every destination may be one of the inputs (in place).
/// </summary>
internal static class Elementwise
{
    /// <summary>destination[i] = x[i]·y[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) where T : IFloatingPointIeee754<T>
    {
        int n = Check(x.Length, y.Length, destination.Length), i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                Store(Load(x, i) * Load(y, i), destination, i);
            }
        }

        for (; i < n; i++)
        {
            destination[i] = x[i] * y[i];
        }
    }

    /// <summary>destination[i] = x[i]·y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<T>(ReadOnlySpan<T> x, T y, Span<T> destination) where T : IFloatingPointIeee754<T>
    {
        int n = Check(x.Length, x.Length, destination.Length), i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var yv = new Vector<T>(y);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                Store(Load(x, i) * yv, destination, i);
            }
        }

        for (; i < n; i++)
        {
            destination[i] = x[i] * y;
        }
    }

    /// <summary>destination[i] = x[i] + y[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) where T : IFloatingPointIeee754<T>
    {
        int n = Check(x.Length, y.Length, destination.Length), i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                Store(Load(x, i) + Load(y, i), destination, i);
            }
        }

        for (; i < n; i++)
        {
            destination[i] = x[i] + y[i];
        }
    }

    /// <summary>destination[i] = x[i]·y + addend[i] (a product, then a sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, T y, ReadOnlySpan<T> addend, Span<T> destination) where T : IFloatingPointIeee754<T>
    {
        int n = Check(x.Length, addend.Length, destination.Length), i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var yv = new Vector<T>(y);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                Store((Load(x, i) * yv) + Load(addend, i), destination, i);
            }
        }

        for (; i < n; i++)
        {
            destination[i] = (x[i] * y) + addend[i];
        }
    }

    /// <summary>destination[i] = (1 − a[i])·a[i], the sigmoid's slope σ′ = σ(1 − σ) from its output a = σ(z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidSlope<T>(ReadOnlySpan<T> a, Span<T> destination) where T : IFloatingPointIeee754<T>
    {
        int n = Check(a.Length, a.Length, destination.Length), i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var one = Vector<T>.One;
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                var av = Load(a, i);
                Store((one - av) * av, destination, i);
            }
        }

        for (; i < n; i++)
        {
            destination[i] = (T.One - a[i]) * a[i];
        }
    }

    /// <summary>
    /// destination[i] = σ(z[i]) = 1/(1 + e^(−z[i])), the bits of TensorPrimitives.Sigmoid: the widest accelerated
    /// vector (512, 256 or 128 bits) that fits, 1/(1 + Exp(−v)) per vector with the last vector overlapping the
    /// previous one, scalar only when no vector fits. TensorPrimitives reaches the same Vector512.Exp through generic
    /// code that, until the JIT's background tier-up recompiles it, runs in a slow unoptimized tier (a few ms per
    /// 1,024 doubles instead of about 10 µs); late in a notebook session that tier-up queue held about 13,000 of the
    /// kernel's methods and took tens of seconds, so a cell training a sigmoid network ran 10–50× slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid<T>(ReadOnlySpan<T> z, Span<T> destination) where T : IFloatingPointIeee754<T>
    {
        int n = Check(z.Length, z.Length, destination.Length);
        if (typeof(T) == typeof(double))
        {
            SigmoidOf(Reinterpret<T, double>(z), Reinterpret<T, double>(destination));
        }
        else if (typeof(T) == typeof(float))
        {
            SigmoidOf(Reinterpret<T, float>(z), Reinterpret<T, float>(destination));
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                destination[i] = T.One / (T.One + T.Exp(-z[i]));
            }
        }
    }

    /// <summary>The largest element (NaN if any element is NaN), as TensorPrimitives.Max; x not empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Max<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        int i = IndexOfMax(x);
        return x[i];
    }

    /// <summary>The index of the first largest element, or of the first NaN, as TensorPrimitives.IndexOfMax; x not empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOfMax<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("The maximum of an empty span is undefined.", nameof(x));
        }

        int best = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (T.IsNaN(x[i]))
            {
                return i;
            }

            if (x[i] > x[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static int Check(int x, int y, int destination)
    {
        if (x != y || x != destination)
        {
            throw new ArgumentException($"Element-wise operands must have one length; got {x}, {y} and a destination of {destination}.");
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SigmoidOf(ReadOnlySpan<double> z, Span<double> destination)
    {
        int n = z.Length;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<double>.Count)
        {
            for (int i = 0, w = Vector512<double>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                (Vector512<double>.One / (Vector512<double>.One + Vector512.Exp(-Vector512.Create(z.Slice(i, w))))).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        if (Vector256.IsHardwareAccelerated && n >= Vector256<double>.Count)
        {
            for (int i = 0, w = Vector256<double>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                (Vector256<double>.One / (Vector256<double>.One + Vector256.Exp(-Vector256.Create(z.Slice(i, w))))).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        if (Vector128.IsHardwareAccelerated && n >= Vector128<double>.Count)
        {
            for (int i = 0, w = Vector128<double>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                (Vector128<double>.One / (Vector128<double>.One + Vector128.Exp(-Vector128.Create(z.Slice(i, w))))).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            destination[i] = 1 / (1 + double.Exp(-z[i]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SigmoidOf(ReadOnlySpan<float> z, Span<float> destination)
    {
        int n = z.Length;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            for (int i = 0, w = Vector512<float>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                (Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-Vector512.Create(z.Slice(i, w))))).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            for (int i = 0, w = Vector256<float>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                (Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-Vector256.Create(z.Slice(i, w))))).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            for (int i = 0, w = Vector128<float>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                (Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-Vector128.Create(z.Slice(i, w))))).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            destination[i] = 1 / (1 + float.Exp(-z[i]));
        }
    }

    private static ReadOnlySpan<TTo> Reinterpret<TFrom, TTo>(ReadOnlySpan<TFrom> s) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(s)), s.Length);

    private static Span<TTo> Reinterpret<TFrom, TTo>(Span<TFrom> s) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(s)), s.Length);

    private static Vector<T> Load<T>(ReadOnlySpan<T> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    private static void Store<T>(Vector<T> v, Span<T> s, int i) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
}
