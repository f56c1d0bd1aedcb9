using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BatchNormNotebooks;

/// <summary>The float exponential behind the sigmoid and the softmax.</summary>
/// <remarks>
/// Cephes' expf: x = n·ln2 + r with n = round(x·log2 e) and |r| ≤ ln2/2 (ln2 in two parts, so r is exact), then
/// e^r ≈ 1 + r + r²·P(r) with a degree-5 P, and e^x = (e^r·2^⌊n/2⌋)·2^(n−⌊n/2⌋): two exact scalings by normal powers of
/// two, so results that overflow become ∞ and results in the subnormal range are rounded there (gradual underflow),
/// not flushed. x is clamped to [−104, 89] first (e^x is 0 below and ∞ above in float either way); a NaN stays NaN.
/// Lane for lane the same operations in the 512-bit, 256-bit and scalar versions: the same bits on every machine and at
/// every position in a span. Why not Vector512.Exp (what TensorPrimitives uses): for float it widens to two vectors of
/// doubles: a 60 × 100 sigmoid on one core took 4.5 µs with it and 2.7 µs with this one (2.6 µs with a multiplication
/// in place of the sigmoid's division: the exponential is the cost).
/// </remarks>
internal static partial class Elementwise
{
    private const float ExpLow = -104f, ExpHigh = 89f;
    private const float Log2E = 1.44269504088896341f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /// <summary>destination[i] = e^x[i] in float (see the remarks); x and destination may be one span.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> destination)
    {
        Check(x.Length, x.Length, destination.Length);
        Lanes<ExpLanes>(x, destination);
    }

    /// <summary>A float function whose every lane is the same operations at every width, so an element's bits do not
    /// depend on the vector that carries it.</summary>
    private interface IFloatLanes
    {
        static abstract Vector512<float> Of(Vector512<float> x);

        static abstract Vector256<float> Of(Vector256<float> x);

        static abstract float Of(float x);
    }

    private readonly struct ExpLanes : IFloatLanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Of(Vector512<float> x) => ExpFloat(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> x) => ExpFloat(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float x) => ExpFloat(x);
    }

    /// <summary>destination[i] = TOp(x[i]): the widest accelerated vector that fits, the last vector ending at the span's
    /// end (its inputs read before anything is written, so x and destination may be one span), scalar only when no
    /// vector fits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Lanes<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IFloatLanes
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            int w = Vector512<float>.Count;
            var last = Vector512.LoadUnsafe(ref xr, (nuint)(n - w));
            for (int i = 0; i < n - w; i += w)
            {
                TOp.Of(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }

            TOp.Of(last).StoreUnsafe(ref dr, (nuint)(n - w));
            return;
        }

        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            int w = Vector256<float>.Count;
            var last = Vector256.LoadUnsafe(ref xr, (nuint)(n - w));
            for (int i = 0; i < n - w; i += w)
            {
                TOp.Of(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }

            TOp.Of(last).StoreUnsafe(ref dr, (nuint)(n - w));
            return;
        }

        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = TOp.Of(Unsafe.Add(ref xr, i));
        }
    }

    /// <summary>e^x per lane (see the remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpFloat(Vector512<float> x)
    {
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpLow)), Vector512.Create(ExpHigh));
        var k = Vector512.Round(xc * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2High), xc);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Low), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        var er = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var n = Avx512F.IsSupported ? Avx512F.ConvertToVector512Int32WithTruncation(k) : Vector512.ConvertToInt32(k);   // k is a whole number in [−150, 128]: no saturation needed
        var n1 = Vector512.ShiftRightArithmetic(n, 1);
        var s1 = Vector512.ShiftLeft(n1 + Vector512.Create(127), 23).AsSingle();
        var s2 = Vector512.ShiftLeft(n - n1 + Vector512.Create(127), 23).AsSingle();
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), er * s1 * s2, x);
    }

    /// <summary>e^x per lane (see the remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpFloat(Vector256<float> x)
    {
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpLow)), Vector256.Create(ExpHigh));
        var k = Vector256.Round(xc * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2High), xc);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Low), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        var er = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var n = Avx.IsSupported ? Avx.ConvertToVector256Int32WithTruncation(k) : Vector256.ConvertToInt32(k);
        var n1 = Vector256.ShiftRightArithmetic(n, 1);
        var s1 = Vector256.ShiftLeft(n1 + Vector256.Create(127), 23).AsSingle();
        var s2 = Vector256.ShiftLeft(n - n1 + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), er * s1 * s2, x);
    }

    /// <summary>e^x in float: the vector versions' operations on one lane.</summary>
    internal static float ExpFloat(float x)
    {
        if (float.IsNaN(x))
        {
            return x;
        }

        float xc = Math.Min(Math.Max(x, ExpLow), ExpHigh);
        float k = MathF.Round(xc * Log2E);
        float r = MathF.FusedMultiplyAdd(k, -Ln2High, xc);
        r = MathF.FusedMultiplyAdd(k, -Ln2Low, r);
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        float er = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        int n = (int)k, n1 = n >> 1;
        return er * BitConverter.Int32BitsToSingle((n1 + 127) << 23) * BitConverter.Int32BitsToSingle((n - n1 + 127) << 23);
    }
}
