using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    private static Vector<T> Load<T>(ReadOnlySpan<T> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    private static void Store<T>(Vector<T> v, Span<T> s, int i) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
}
