using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace BatchNormNotebooks;

/// <summary>
/// The inner loops of the batch-norm kernels over a range of rows [r0, r1) of a row-major (batch, n) array, each one
/// pass over memory with SIMD (<see cref="Vector{T}"/>) across the features. Sums run in T over blocks of
/// <see cref="BlockRows"/> rows, then go into double totals.
/// </summary>
/// <remarks>The statistics, the backward's sums and the dx pass go block of rows by block of rows and, inside a block,
/// strip of columns by strip of columns (<see cref="Strip"/> vectors wide): a strip's per-feature sums or coefficients
/// stay in registers while its rows go by, instead of a load and a store of each sum per element; where 512-bit vectors
/// are accelerated, the sums go four 512-bit vectors to a strip (BatchNormRows.Strips.cs: in alternation on one core,
/// the statistics 0.9 → 0.8 µs at (60, 100), 6.7 → 5.7 µs at (256, 256), 229 → 163 µs at (1024, 1024)). The
/// normalisation and eval passes go row by row for rows over 512 bytes (256-bit strips were slower there: 12.5 against
/// 10.5 µs at (256, 256)) and in column strips for narrower ones (the MLP's 100 features: 0.24 against 0.70–1.2 µs). Each element still
/// sees the same operations in the same order as the plain row-by-row loop, so the bits are unchanged (tested against
/// the hash of the earlier loops' outputs, BatchNormBitsTests).</remarks>
internal static partial class BatchNormRows
{
    /// <summary>Rows summed in T before the partial sums move to double.</summary>
    public const int BlockRows = 32;

    /// <summary>Vectors per strip of columns: four sums or coefficient sets of four vectors fit the registers.</summary>
    private const int Strip = 4;

    /// <summary>
    /// Mean and M2 = Σ(x − mean)² per feature of rows [r0, r1), block by block: each block's approximate mean c,
    /// then (the block still in cache) Σ(x − c) and Σ(x − c)², which give the block's exact mean c + Σ(x − c)/b and
    /// M2 = Σ(x − c)² − (Σ(x − c))²/b in double; blocks are merged into <c>buffers.Mean</c> and <c>buffers.M2</c>
    /// with <see cref="ChanMerge"/>. One read of x from memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MeanAndM2<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ForwardStatisticsBuffers<T> buffers)
        where T : IFloatingPointIeee754<T>
    {
        Span<T> center = buffers.Center, s1 = buffers.SumDeviation, s2 = buffers.SumSquaredDeviation;
        Span<double> mean = buffers.Mean, m2 = buffers.M2;
        mean.Clear();
        m2.Clear();
        long seen = 0;
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            int b1 = Math.Min(r1, b0 + BlockRows);
            BlockDeviations(x, n, b0, b1, center, s1, s2);
            MergeBlock(mean, m2, seen, center, s1, s2, b1 - b0);
            seen += b1 - b0;
        }
    }

    /// <summary>One block of rows [b0, b1): its approximate mean c = (Σ rows)·(1/b), then Σ(x − c) and Σ(x − c)² per
    /// feature, in strips of columns with the sums in registers (BatchNormRows.Strips.cs: 512-bit vectors where
    /// accelerated, else <see cref="Vector{T}"/>), or one column at a time when a row is narrower than one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockDeviations<T>(ReadOnlySpan<T> x, int n, int b0, int b1, Span<T> center, Span<T> s1, Span<T> s2)
        where T : IFloatingPointIeee754<T>
    {
        T inverse = T.One / T.CreateChecked(b1 - b0);
        if (Wide<T>(n))
        {
            DeviationStrips<T, Vector512<T>, Vector512Lanes<T>>(x, n, b0, b1, inverse, center, s1, s2);
            return;
        }

        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && n >= Vector<T>.Count)
        {
            DeviationStrips<T, Vector<T>, VectorLanes<T>>(x, n, b0, b1, inverse, center, s1, s2);
            return;
        }

        for (int j = 0; j < n; j++)
        {
            T c = T.Zero;
            for (int i = b0; i < b1; i++)
            {
                c += x[(i * n) + j];
            }

            c *= inverse;
            T a = T.Zero, q = T.Zero;
            for (int i = b0; i < b1; i++)
            {
                T d = x[(i * n) + j] - c;
                a += d;
                q += d * d;
            }

            center[j] = c;
            s1[j] = a;
            s2[j] = q;
        }
    }

    /// <summary>Over rows [r0, r1), with μ_T = <paramref name="mean"/>: Σdy, Σdy·(x − μ_T) and, when
    /// <paramref name="withSumCentered"/>, Σ(x − μ_T) per feature, added to the buffers' double totals — one fused pass
    /// over dy and x. The third sum only goes into the totals when μ_T's rounding matters (see
    /// <c>BatchNormKernels.NeedsExactMean</c>); otherwise δ = 0 exactly, as before the strips kept it in a register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardSums<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, BackwardSumBuffers<T> buffers, bool withSumCentered)
        where T : IFloatingPointIeee754<T>
    {
        Span<T> sumDy = buffers.BlockSumDy, sumDyCentered = buffers.BlockSumDyCentered, sumCentered = buffers.BlockSumCentered;
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            int b1 = Math.Min(r1, b0 + BlockRows);
            BlockDyTerms(dy, x, n, b0, b1, mean, sumDy, sumDyCentered, sumCentered);
            AddToTotal(sumDy, buffers.SumDy);
            AddToTotal(sumDyCentered, buffers.SumDyCentered);
            if (withSumCentered)
            {
                AddToTotal(sumCentered, buffers.SumCentered);
            }
        }
    }

    /// <summary>One block of rows [b0, b1): Σdy, Σdy·(x − μ_T) and Σ(x − μ_T) per feature, in strips of columns with the
    /// sums in registers as <see cref="BlockDeviations{T}"/> (the third sum costs one register add, so it is always
    /// taken; the caller decides whether it goes into the totals).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockDyTerms<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int b0, int b1, ReadOnlySpan<T> mean,
        Span<T> sumDy, Span<T> sumDyCentered, Span<T> sumCentered)
        where T : IFloatingPointIeee754<T>
    {
        if (Wide<T>(n))
        {
            DyTermStrips<T, Vector512<T>, Vector512Lanes<T>>(dy, x, n, b0, b1, mean, sumDy, sumDyCentered, sumCentered);
            return;
        }

        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && n >= Vector<T>.Count)
        {
            DyTermStrips<T, Vector<T>, VectorLanes<T>>(dy, x, n, b0, b1, mean, sumDy, sumDyCentered, sumCentered);
            return;
        }

        for (int j = 0; j < n; j++)
        {
            T s = T.Zero, p = T.Zero, c = T.Zero;
            for (int i = b0; i < b1; i++)
            {
                T g = dy[(i * n) + j], d = x[(i * n) + j] - mean[j];
                s += g;
                p += g * d;
                c += d;
            }

            sumDy[j] = s;
            sumDyCentered[j] = p;
            sumCentered[j] = c;
        }
    }

    /// <summary>y[i,j] = (x[i,j] − μ[j])·scale[j] + shift[j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (BatchNormStreaming.TryNormalize(x, n, r0, r1, mean, scale, shift, y))   // big outputs: non-temporal stores
        {
            return;
        }

        if (Wide<T>(n))
        {
            NormalizeWide(x, n, r0, r1, mean, scale, shift, y);
            return;
        }

        for (int i = r0; i < r1; i++)
        {
            ReadOnlySpan<T> xi = x.Slice(i * n, n);
            Span<T> yi = y.Slice(i * n, n);
            int j = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
                {
                    Store(((Load(xi, j) - Load(mean, j)) * Load(scale, j)) + Load(shift, j), yi, j);
                }
            }

            for (; j < n; j++)
            {
                yi[j] = ((xi[j] - mean[j]) * scale[j]) + shift[j];
            }
        }
    }

    /// <summary>dx[i,j] = scale[j]·dy[i,j] + shift[j] − slope[j]·(x[i,j] − μ[j]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, ReadOnlySpan<T> slope, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        if (BatchNormStreaming.TryBackward(dy, x, n, r0, r1, mean, scale, shift, slope, dx))   // big outputs: non-temporal stores
        {
            return;
        }

        if (Wide<T>(n))
        {
            BackwardWide(dy, x, n, r0, r1, mean, scale, shift, slope, dx);
            return;
        }

        ref T g0 = ref MemoryMarshal.GetReference(dy);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T d0 = ref MemoryMarshal.GetReference(dx);
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            int b1 = Math.Min(r1, b0 + BlockRows), j = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                int w = Vector<T>.Count;
                for (; j <= n - (Strip * w); j += Strip * w)
                {
                    Vector<T> m0 = Load(mean, j), m1 = Load(mean, j + w), m2 = Load(mean, j + (2 * w)), m3 = Load(mean, j + (3 * w));
                    Vector<T> k0 = Load(scale, j), k1 = Load(scale, j + w), k2 = Load(scale, j + (2 * w)), k3 = Load(scale, j + (3 * w));
                    Vector<T> h0 = Load(shift, j), h1 = Load(shift, j + w), h2 = Load(shift, j + (2 * w)), h3 = Load(shift, j + (3 * w));
                    Vector<T> l0 = Load(slope, j), l1 = Load(slope, j + w), l2 = Load(slope, j + (2 * w)), l3 = Load(slope, j + (3 * w));
                    for (int i = b0; i < b1; i++)
                    {
                        nuint o = (nuint)((i * n) + j), o1 = o + (nuint)w, o2 = o + (nuint)(2 * w), o3 = o + (nuint)(3 * w);
                        ((k0 * Vector.LoadUnsafe(ref g0, o)) + h0 - (l0 * (Vector.LoadUnsafe(ref x0, o) - m0))).StoreUnsafe(ref d0, o);
                        ((k1 * Vector.LoadUnsafe(ref g0, o1)) + h1 - (l1 * (Vector.LoadUnsafe(ref x0, o1) - m1))).StoreUnsafe(ref d0, o1);
                        ((k2 * Vector.LoadUnsafe(ref g0, o2)) + h2 - (l2 * (Vector.LoadUnsafe(ref x0, o2) - m2))).StoreUnsafe(ref d0, o2);
                        ((k3 * Vector.LoadUnsafe(ref g0, o3)) + h3 - (l3 * (Vector.LoadUnsafe(ref x0, o3) - m3))).StoreUnsafe(ref d0, o3);
                    }
                }

                for (; j <= n - w; j += w)
                {
                    Vector<T> m = Load(mean, j), k = Load(scale, j), h = Load(shift, j), l = Load(slope, j);
                    for (int i = b0; i < b1; i++)
                    {
                        nuint o = (nuint)((i * n) + j);
                        ((k * Vector.LoadUnsafe(ref g0, o)) + h - (l * (Vector.LoadUnsafe(ref x0, o) - m))).StoreUnsafe(ref d0, o);
                    }
                }
            }

            for (; j < n; j++)
            {
                for (int i = b0; i < b1; i++)
                {
                    int o = (i * n) + j;
                    dx[o] = (scale[j] * dy[o]) + shift[j] - (slope[j] * (x[o] - mean[j]));
                }
            }
        }
    }

    /// <summary>Turns one block's T sums into its exact mean c + Σ(x − c)/b and M2 = Σ(x − c)² − (Σ(x − c))²/b in double,
    /// and merges them into the running (mean, M2) of the <paramref name="countA"/> rows before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void MergeBlock<T>(Span<double> mean, Span<double> m2, long countA, ReadOnlySpan<T> center, ReadOnlySpan<T> s1, ReadOnlySpan<T> s2, int countB)
        where T : IFloatingPointIeee754<T>
    {
        var merge = new ChanMerge(countA, countB);
        int j = 0;
        if (Vector.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            // Four or eight features at a time in double: the same divisions and products lane by lane (so the same
            // bits), without the scalar loop's chain through each conversion's destination register (36 cycles a feature).
            var b = new Vector<double>(countB);
            int w = Vector<double>.Count;
            for (; j <= mean.Length - (2 * w); j += 2 * w)
            {
                var (cLo, cHi) = Widen(center, j);
                var (dLo, dHi) = Widen(s1, j);
                var (qLo, qHi) = Widen(s2, j);
                MergeLanes(mean, m2, j, merge, cLo + (dLo / b), qLo - (dLo * dLo / b));
                MergeLanes(mean, m2, j + w, merge, cHi + (dHi / b), qHi - (dHi * dHi / b));
            }
        }

        for (; j < mean.Length; j++)
        {
            double d1 = double.CreateTruncating(s1[j]);
            double blockMean = double.CreateTruncating(center[j]) + (d1 / countB);
            double blockM2 = double.CreateTruncating(s2[j]) - (d1 * d1 / countB);
            merge.Into(ref mean[j], ref m2[j], blockMean, blockM2);
        }
    }

    /// <summary>Elements [j, j + 2·Vector&lt;double&gt;.Count) of a float or double span as two vectors of doubles (exact).</summary>
    private static (Vector<double> Low, Vector<double> High) Widen<T>(ReadOnlySpan<T> source, int j)
        where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Vector.Widen(Load(Reinterpret<T, float>(source), j), out Vector<double> low, out Vector<double> high);
            return (low, high);
        }

        var d = Reinterpret<T, double>(source);
        return (Load(d, j), Load(d, j + Vector<double>.Count));
    }

    internal static ReadOnlySpan<TTo> Reinterpret<TFrom, TTo>(ReadOnlySpan<TFrom> source) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(source)), source.Length);

    internal static Span<TTo> Reinterpret<TFrom, TTo>(Span<TFrom> source) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(source)), source.Length);

    private static void MergeLanes(Span<double> mean, Span<double> m2, int j, ChanMerge merge, Vector<double> blockMean, Vector<double> blockM2)
    {
        var meanA = Load<double>(mean, j);
        var m2A = Load<double>(m2, j);
        merge.Into(ref meanA, ref m2A, blockMean, blockM2);
        Store(meanA, mean, j);
        Store(m2A, m2, j);
    }

    // The row helpers here and in Elementwise are the library's own loops rather than TensorPrimitives calls:
    // TensorPrimitives' generic code starts in the JIT's slow instrumented tier and stayed there for seconds (measured
    // 4× slower at (256, 256) for the first few thousand calls); AggressiveOptimization compiles these optimized at once.

    /// <summary>y[i,j] = x[i,j]·scale[j] + shift[j] for rows [r0, r1) (the eval-mode affine map; a product, then a sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Affine<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (Wide<T>(n))
        {
            AffineWide(x, n, r0, r1, scale, shift, y);
            return;
        }

        for (int i = r0; i < r1; i++)
        {
            ReadOnlySpan<T> xi = x.Slice(i * n, n);
            Span<T> yi = y.Slice(i * n, n);
            int j = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
                {
                    Store((Load(xi, j) * Load(scale, j)) + Load(shift, j), yi, j);
                }
            }

            for (; j < n; j++)
            {
                yi[j] = (xi[j] * scale[j]) + shift[j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void AddToTotal<T>(ReadOnlySpan<T> block, Span<double> total)
        where T : IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            int w = Vector<double>.Count;
            for (; j <= block.Length - (2 * w); j += 2 * w)
            {
                var (low, high) = Widen(block, j);
                Store(Load<double>(total, j) + low, total, j);
                Store(Load<double>(total, j + w) + high, total, j + w);
            }
        }

        for (; j < block.Length; j++)
        {
            total[j] += double.CreateChecked(block[j]);
        }
    }

    internal static Vector<T> Load<T>(ReadOnlySpan<T> s, int j) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);

    internal static void Store<T>(Vector<T> v, Span<T> s, int j) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);
}
