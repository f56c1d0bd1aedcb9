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
internal static partial class Elementwise
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
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            // 512-bit vectors where accelerated (Vector<T> has 256 bits there): the SGD update of a weight matrix streams it
            // from L2 (half of the MNIST MLP's W₁, 39,200 floats, hot in L2: 2.7 µs with 256-bit vectors, 2.1 µs with 512-bit
            // on the AMD Zen 5 VM, 2026-12-05). Same bits: each lane is the same product, then the same sum.
            ref T xr = ref MemoryMarshal.GetReference(x), ar = ref MemoryMarshal.GetReference(addend), dr = ref MemoryMarshal.GetReference(destination);
            var yv = Vector512.Create(y);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                ((Vector512.LoadUnsafe(ref xr, (nuint)i) * yv) + Vector512.LoadUnsafe(ref ar, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

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
    /// destination[i] = tanh(z[i]) = sign(z)·(−m/(m + 2)) with m = e^(−2|z|) − 1, TensorPrimitives.Tanh's formula
    /// (AOCL's vrs4_tanhf) over the same vector exponential, vectors as in <see cref="Sigmoid{T}"/>, but every element a
    /// function of that element alone: |z| is capped at <see cref="TanhCap"/> (where tanh is already ±1 exactly: e^(−40) − 1
    /// rounds to −1) and a NaN enters the exponential as the cap and leaves as itself, so every vector stays inside the
    /// exponential's range (|2z| ≤ 708). TensorPrimitives does neither: in float64 a vector holding one |z| &gt; 354 or one NaN takes
    /// the scalar Math.Exp for all its lanes, whose last bit can differ, and which elements share that vector depends on
    /// the arrays' memory addresses (for long spans its loop aligns to memory). So the same input gave different bits after
    /// different allocations, and a diverging network (notebook 08, g = 100 without batch norm, pre-activations in the
    /// hundreds) amplified them to other held-out losses. Same bits as TensorPrimitives.Tanh otherwise (T.Tanh when no
    /// vector fits, as there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh<T>(ReadOnlySpan<T> z, Span<T> destination) where T : IFloatingPointIeee754<T>
    {
        int n = Check(z.Length, z.Length, destination.Length);
        if (typeof(T) == typeof(double))
        {
            TanhOf(Reinterpret<T, double>(z), Reinterpret<T, double>(destination));
        }
        else if (typeof(T) == typeof(float))
        {
            TanhOf(Reinterpret<T, float>(z), Reinterpret<T, float>(destination));
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                destination[i] = T.Tanh(z[i]);
            }
        }
    }

    /// <summary>|z| beyond which <see cref="Tanh{T}"/> computes tanh(±cap) = ±1: far inside the vector exponential's range.</summary>
    internal const double TanhCap = 20;

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
    private static void TanhOf(ReadOnlySpan<double> z, Span<double> destination)
    {
        int n = z.Length;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<double>.Count)
        {
            for (int i = 0, w = Vector512<double>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                var x = Vector512.Create(z.Slice(i, w));
                var y = Vector512.Abs(x);
                y = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(y, Vector512.Create(TanhCap)), y, Vector512.Create(TanhCap));
                var m = Vector512.Exp(Vector512.Create(-2d) * y) - Vector512<double>.One;
                var sign = x.AsUInt64() & Vector512.Create(~(ulong)long.MaxValue);
                var t = (sign ^ (-m / (m + Vector512.Create(2d))).AsUInt64()).AsDouble();
                Vector512.ConditionalSelect(Vector512.Equals(x, x), t, x).CopyTo(destination.Slice(i, w));
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
                var x = Vector256.Create(z.Slice(i, w));
                var y = Vector256.Abs(x);
                y = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(y, Vector256.Create(TanhCap)), y, Vector256.Create(TanhCap));
                var m = Vector256.Exp(Vector256.Create(-2d) * y) - Vector256<double>.One;
                var sign = x.AsUInt64() & Vector256.Create(~(ulong)long.MaxValue);
                var t = (sign ^ (-m / (m + Vector256.Create(2d))).AsUInt64()).AsDouble();
                Vector256.ConditionalSelect(Vector256.Equals(x, x), t, x).CopyTo(destination.Slice(i, w));
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
                var x = Vector128.Create(z.Slice(i, w));
                var y = Vector128.Abs(x);
                y = Vector128.ConditionalSelect(Vector128.LessThanOrEqual(y, Vector128.Create(TanhCap)), y, Vector128.Create(TanhCap));
                var m = Vector128.Exp(Vector128.Create(-2d) * y) - Vector128<double>.One;
                var sign = x.AsUInt64() & Vector128.Create(~(ulong)long.MaxValue);
                var t = (sign ^ (-m / (m + Vector128.Create(2d))).AsUInt64()).AsDouble();
                Vector128.ConditionalSelect(Vector128.Equals(x, x), t, x).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            destination[i] = double.Tanh(z[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TanhOf(ReadOnlySpan<float> z, Span<float> destination)
    {
        int n = z.Length;
        const float cap = (float)TanhCap;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            for (int i = 0, w = Vector512<float>.Count; ; i += w)
            {
                i = Math.Min(i, n - w);
                var x = Vector512.Create(z.Slice(i, w));
                var y = Vector512.Abs(x);
                y = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(y, Vector512.Create(cap)), y, Vector512.Create(cap));
                var m = Vector512.Exp(Vector512.Create(-2f) * y) - Vector512<float>.One;
                var sign = x.AsUInt32() & Vector512.Create(~(uint)int.MaxValue);
                var t = (sign ^ (-m / (m + Vector512.Create(2f))).AsUInt32()).AsSingle();
                Vector512.ConditionalSelect(Vector512.Equals(x, x), t, x).CopyTo(destination.Slice(i, w));
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
                var x = Vector256.Create(z.Slice(i, w));
                var y = Vector256.Abs(x);
                y = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(y, Vector256.Create(cap)), y, Vector256.Create(cap));
                var m = Vector256.Exp(Vector256.Create(-2f) * y) - Vector256<float>.One;
                var sign = x.AsUInt32() & Vector256.Create(~(uint)int.MaxValue);
                var t = (sign ^ (-m / (m + Vector256.Create(2f))).AsUInt32()).AsSingle();
                Vector256.ConditionalSelect(Vector256.Equals(x, x), t, x).CopyTo(destination.Slice(i, w));
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
                var x = Vector128.Create(z.Slice(i, w));
                var y = Vector128.Abs(x);
                y = Vector128.ConditionalSelect(Vector128.LessThanOrEqual(y, Vector128.Create(cap)), y, Vector128.Create(cap));
                var m = Vector128.Exp(Vector128.Create(-2f) * y) - Vector128<float>.One;
                var sign = x.AsUInt32() & Vector128.Create(~(uint)int.MaxValue);
                var t = (sign ^ (-m / (m + Vector128.Create(2f))).AsUInt32()).AsSingle();
                Vector128.ConditionalSelect(Vector128.Equals(x, x), t, x).CopyTo(destination.Slice(i, w));
                if (i == n - w)
                {
                    return;
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            destination[i] = float.Tanh(z[i]);
        }
    }

    private static ReadOnlySpan<TTo> Reinterpret<TFrom, TTo>(ReadOnlySpan<TFrom> s) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(s)), s.Length);

    /// <summary>The same memory as elements of another type of the same size (T is float or double where it is called).</summary>
    internal static Span<TTo> Reinterpret<TFrom, TTo>(Span<TFrom> s) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(s)), s.Length);

    private static Vector<T> Load<T>(ReadOnlySpan<T> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    private static void Store<T>(Vector<T> v, Span<T> s, int i) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
}
