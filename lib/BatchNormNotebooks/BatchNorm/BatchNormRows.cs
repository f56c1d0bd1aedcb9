using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BatchNormNotebooks;

/// <summary>
/// The inner loops of the batch-norm kernels over a range of rows [r0, r1) of a row-major (batch, n) array, each one
/// pass over memory with SIMD (<see cref="Vector{T}"/>) across the features. Sums run in T over blocks of
/// <see cref="BlockRows"/> rows, then go into double totals.
/// </summary>
internal static class BatchNormRows
{
    /// <summary>Rows summed in T before the partial sums move to double.</summary>
    public const int BlockRows = 32;

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
            center.Clear();
            s1.Clear();
            s2.Clear();
            for (int i = b0; i < b1; i++)
            {
                Elementwise.Add<T>(center, x.Slice(i * n, n), center);
            }

            Elementwise.Multiply<T>(center, T.One / T.CreateChecked(b1 - b0), center);
            for (int i = b0; i < b1; i++)
            {
                AddDeviations(x.Slice(i * n, n), center, s1, s2);
            }

            MergeBlock(mean, m2, seen, center, s1, s2, b1 - b0);
            seen += b1 - b0;
        }
    }

    /// <summary>Over rows [r0, r1), with μ_T = <paramref name="mean"/>: Σdy, Σdy·(x − μ_T) and, when
    /// <paramref name="withSumCentered"/>, Σ(x − μ_T) per feature, added to the buffers' double totals — one fused pass
    /// over dy and x. The third sum costs a third accumulator store per element, so it is only taken when μ_T's
    /// rounding matters (see <c>BatchNormKernels.NeedsExactMean</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardSums<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, BackwardSumBuffers<T> buffers, bool withSumCentered)
        where T : IFloatingPointIeee754<T>
    {
        Span<T> sumDy = buffers.BlockSumDy, sumDyCentered = buffers.BlockSumDyCentered, sumCentered = buffers.BlockSumCentered;
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            sumDy.Clear();
            sumDyCentered.Clear();
            sumCentered.Clear();
            int b1 = Math.Min(r1, b0 + BlockRows);
            for (int i = b0; i < b1; i++)
            {
                if (withSumCentered)
                {
                    AddDyTerms(dy.Slice(i * n, n), x.Slice(i * n, n), mean, sumDy, sumDyCentered, sumCentered);
                }
                else
                {
                    AddDyTerms(dy.Slice(i * n, n), x.Slice(i * n, n), mean, sumDy, sumDyCentered);
                }
            }

            AddToTotal(sumDy, buffers.SumDy);
            AddToTotal(sumDyCentered, buffers.SumDyCentered);
            if (withSumCentered)
            {
                AddToTotal(sumCentered, buffers.SumCentered);
            }
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

        for (int i = r0; i < r1; i++)
        {
            ReadOnlySpan<T> g = dy.Slice(i * n, n), xi = x.Slice(i * n, n);
            Span<T> d = dx.Slice(i * n, n);
            int j = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
                {
                    Store((Load(scale, j) * Load(g, j)) + Load(shift, j) - (Load(slope, j) * (Load(xi, j) - Load(mean, j))), d, j);
                }
            }

            for (; j < n; j++)
            {
                d[j] = (scale[j] * g[j]) + shift[j] - (slope[j] * (xi[j] - mean[j]));
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
        for (int j = 0; j < mean.Length; j++)
        {
            double d1 = double.CreateTruncating(s1[j]);
            double blockMean = double.CreateTruncating(center[j]) + (d1 / countB);
            double blockM2 = double.CreateTruncating(s2[j]) - (d1 * d1 / countB);
            merge.Into(ref mean[j], ref m2[j], blockMean, blockM2);
        }
    }

    /// <summary>One row: sumDy[j] += g[j]; sumDyCentered[j] += g[j]·(x[j] − μ[j]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void AddDyTerms<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> xi, ReadOnlySpan<T> mean, Span<T> sumDy, Span<T> sumDyCentered)
        where T : IFloatingPointIeee754<T>
    {
        int n = g.Length, j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                var gv = Load(g, j);
                Store(Load(sumDy, j) + gv, sumDy, j);
                Store(Load(sumDyCentered, j) + (gv * (Load(xi, j) - Load(mean, j))), sumDyCentered, j);
            }
        }

        for (; j < n; j++)
        {
            sumDy[j] += g[j];
            sumDyCentered[j] += g[j] * (xi[j] - mean[j]);
        }
    }

    /// <summary>One row: as above, and sumCentered[j] += x[j] − μ[j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void AddDyTerms<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> xi, ReadOnlySpan<T> mean, Span<T> sumDy, Span<T> sumDyCentered, Span<T> sumCentered)
        where T : IFloatingPointIeee754<T>
    {
        int n = g.Length, j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                var gv = Load(g, j);
                var d = Load(xi, j) - Load(mean, j);
                Store(Load(sumDy, j) + gv, sumDy, j);
                Store(Load(sumDyCentered, j) + (gv * d), sumDyCentered, j);
                Store(Load(sumCentered, j) + d, sumCentered, j);
            }
        }

        for (; j < n; j++)
        {
            T d = xi[j] - mean[j];
            sumDy[j] += g[j];
            sumDyCentered[j] += g[j] * d;
            sumCentered[j] += d;
        }
    }

    // The row helpers here and in Elementwise are the library's own loops rather than TensorPrimitives calls:
    // TensorPrimitives' generic code starts in the JIT's slow instrumented tier and stayed there for seconds (measured
    // 4× slower at (256, 256) for the first few thousand calls); AggressiveOptimization compiles these optimized at once.

    /// <summary>y[i,j] = x[i,j]·scale[j] + shift[j] for rows [r0, r1) (the eval-mode affine map; a product, then a sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Affine<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
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

    /// <summary>s1[j] += row[j] − center[j]; s2[j] += (row[j] − center[j])².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void AddDeviations<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> center, Span<T> s1, Span<T> s2)
        where T : IFloatingPointIeee754<T>
    {
        int n = row.Length, j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                var d = Load(row, j) - Load(center, j);
                Store(Load(s1, j) + d, s1, j);
                Store(Load(s2, j) + (d * d), s2, j);
            }
        }

        for (; j < n; j++)
        {
            T d = row[j] - center[j];
            s1[j] += d;
            s2[j] += d * d;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void AddToTotal<T>(ReadOnlySpan<T> block, Span<double> total)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < block.Length; j++)
        {
            total[j] += double.CreateChecked(block[j]);
        }
    }

    private static Vector<T> Load<T>(ReadOnlySpan<T> s, int j) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);

    private static void Store<T>(Vector<T> v, Span<T> s, int j) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);
}
