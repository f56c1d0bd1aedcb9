using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace BatchNormNotebooks.Benchmarks;

/// <summary>The compute yardstick: single-precision FMA peak, twelve independent FMA chains per thread (enough to cover
/// the FMA latency on both FMA pipes), on one core and on every core, with 256-bit vectors and — where the JIT
/// accelerates them (AVX-512) — 512-bit vectors. The peak of the machine is the widest one: the matrix products use
/// 512-bit panels wherever they exist (MatrixProduct.Blocks.cs).</summary>
[MemoryDiagnoser]
public class FmaPeakBenchmark
{
    /// <summary>FMA iterations per chain per call.</summary>
    public const int Iterations = 1 << 20;

    private const int Chains = 12;

    /// <summary>Whether the 512-bit rows measure 512-bit instructions (otherwise they are the 256-bit loop again).</summary>
    public static bool Has512 => Vector512.IsHardwareAccelerated;

    /// <summary>Floating-point operations of one thread's 256-bit call: iterations × chains × lanes × 2 (multiply and add).</summary>
    public static double FlopsPerThread256 => (double)Iterations * Chains * Vector256<float>.Count * 2;

    /// <summary>The same for one thread's 512-bit call.</summary>
    public static double FlopsPerThread512 => (double)Iterations * Chains * Vector512<float>.Count * 2;

    [Benchmark(Description = "FMA peak 256-bit, 1 thread")]
    public float OneThread256() => Chains12(1.0001f);

    [Benchmark(Description = "FMA peak 256-bit, all cores")]
    public float AllCores256() => AllCores(Chains12);

    [Benchmark(Description = "FMA peak 512-bit (256-bit where not accelerated), 1 thread")]
    public float OneThread512() => Has512 ? Chains12Wide(1.0001f) : Chains12(1.0001f);

    [Benchmark(Description = "FMA peak 512-bit (256-bit where not accelerated), all cores")]
    public float AllCores512() => AllCores(Has512 ? Chains12Wide : Chains12);

    private static float AllCores(Func<float, float> chains)
    {
        float[] sums = new float[Environment.ProcessorCount];
        Parallel.For(0, sums.Length, new ParallelOptions { MaxDegreeOfParallelism = sums.Length }, t => sums[t] = chains(1.0001f + t));
        return sums.Sum();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains12(float seed)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(seed), c1 = c0 + a, c2 = c1 + a, c3 = c2 + a, c4 = c3 + a, c5 = c4 + a;
        Vector256<float> c6 = c5 + a, c7 = c6 + a, c8 = c7 + a, c9 = c8 + a, c10 = c9 + a, c11 = c10 + a;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a);
            c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a);
            c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a);
            c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a);
            c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a);
            c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a);
            c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }

        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains12Wide(float seed)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(seed), c1 = c0 + a, c2 = c1 + a, c3 = c2 + a, c4 = c3 + a, c5 = c4 + a;
        Vector512<float> c6 = c5 + a, c7 = c6 + a, c8 = c7 + a, c9 = c8 + a, c10 = c9 + a, c11 = c10 + a;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a);
            c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a);
            c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a);
            c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a);
            c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a);
            c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a);
            c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }

        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
