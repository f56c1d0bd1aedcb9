using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace BatchNormNotebooks;

/// <summary>The bookkeeping behind the batch-norm kernels: scratch buffers, thread split, and the per-feature finishing steps.</summary>
public static partial class BatchNormKernels
{
    /// <summary>Calls on arrays with at least this many elements (512 KiB of float32, roughly 50–100 µs of work)
    /// split their rows across <see cref="Environment.ProcessorCount"/> threads; smaller ones stay on the caller's thread.</summary>
    public const int ParallelThreshold = 1 << 17;

    private static int ThreadsFor(int length, int batch) =>
        length >= ParallelThreshold && batch >= 2 * Environment.ProcessorCount ? Math.Min(Environment.ProcessorCount, 8) : 1;

    private static int RowStart(int part, int parts, int batch) => (int)((long)batch * part / parts);

    private static void CheckForwardTrain(int xLength, int batch, int n, int betaLength, int yLength, int meanLength, int varianceLength, int invStdLength)
    {
        CheckShapes(xLength, batch, n, betaLength, yLength);
        CheckLength(meanLength, n, "mean");
        CheckLength(varianceLength, n, "variance");
        CheckLength(invStdLength, n, "invStd");
    }

    /// <summary>μ and σ² = M2/m from the merged statistics, r = 1/√(σ² + ε), and the forward's per-feature scale γ·r.</summary>
    private static void FinishStatistics<T>(ReadOnlySpan<double> meanD, ReadOnlySpan<double> m2, int batch, T epsilon,
        Span<T> mean, Span<T> variance, Span<T> invStd, ReadOnlySpan<T> gamma, Span<T> scale)
        where T : IFloatingPointIeee754<T>
    {
        double eps = double.CreateChecked(epsilon);
        for (int j = 0; j < variance.Length; j++)
        {
            double v = m2[j] / batch;
            mean[j] = T.CreateChecked(meanD[j]);
            variance[j] = T.CreateChecked(v);
            invStd[j] = T.CreateChecked(1 / Math.Sqrt(v + eps));
            scale[j] = gamma[j] * invStd[j];
        }
    }

    /// <summary>dβ = Σdy, dγ = r·Σ(x − μ)dy, and the backward's per-feature coefficients
    /// scale = γr, shift = −γr·Σdy/m, slope = γr³·Σ(x − μ)dy/m.</summary>
    private static void FinishBackwardSums<T>(ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyCentered, int batch, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> invStd, Span<T> dGamma, Span<T> dBeta, Scratch<T> scratch)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < gamma.Length; j++)
        {
            double r = double.CreateChecked(invStd[j]), g = double.CreateChecked(gamma[j]);
            dBeta[j] = T.CreateChecked(sumDy[j]);
            dGamma[j] = T.CreateChecked(sumDyCentered[j] * r);
            scratch.Scale[j] = T.CreateChecked(g * r);
            scratch.Shift[j] = T.CreateChecked(-g * r * sumDy[j] / batch);
            scratch.Slope[j] = T.CreateChecked(g * r * r * r * sumDyCentered[j] / batch);
        }
    }

    /// <summary>Pooled buffers for one kernel call: per-thread block accumulators in T and totals in double, and
    /// three per-feature coefficient vectors. Returned to <see cref="ArrayPool{T}"/> on dispose, so steady-state
    /// calls allocate nothing on the single-threaded path.</summary>
    private readonly struct Scratch<T> : IDisposable where T : IFloatingPointIeee754<T>
    {
        private readonly int _n, _threads;
        private readonly T[] _blocks, _coefficients;
        private readonly double[] _totals;

        public Scratch(int threads, int n)
        {
            _n = n;
            _threads = threads;
            _blocks = ArrayPool<T>.Shared.Rent(3 * threads * n);
            _coefficients = ArrayPool<T>.Shared.Rent(3 * n);
            _totals = ArrayPool<double>.Shared.Rent(2 * threads * n);
            _totals.AsSpan(0, 2 * threads * n).Clear();
        }

        public Span<T> Scale => _coefficients.AsSpan(0, _n);

        public Span<T> Shift => _coefficients.AsSpan(_n, _n);

        public Span<T> Slope => _coefficients.AsSpan(2 * _n, _n);

        public Span<T> Block(int thread) => _blocks.AsSpan(thread * _n, _n);

        public Span<T> Block2(int thread) => _blocks.AsSpan((_threads + thread) * _n, _n);

        public Span<T> Block3(int thread) => _blocks.AsSpan(((2 * _threads) + thread) * _n, _n);

        public Span<double> Totals(int thread) => _totals.AsSpan(thread * _n, _n);

        public Span<double> Totals2(int thread) => _totals.AsSpan((_threads + thread) * _n, _n);

        /// <summary>Adds every thread's totals into thread 0's and returns them.</summary>
        public Span<double> CombineTotals() => Combine(0);

        /// <summary>Adds every thread's second totals into thread 0's and returns them.</summary>
        public Span<double> CombineTotals2() => Combine(_threads);

        public void Dispose()
        {
            ArrayPool<T>.Shared.Return(_blocks);
            ArrayPool<T>.Shared.Return(_coefficients);
            ArrayPool<double>.Shared.Return(_totals);
        }

        private Span<double> Combine(int first)
        {
            Span<double> sum = _totals.AsSpan(first * _n, _n);
            for (int t = 1; t < _threads; t++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(sum, _totals.AsSpan((first + t) * _n, _n), sum);
            }

            return sum;
        }
    }
}

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
    /// M2 = Σ(x − c)² − (Σ(x − c))²/b in double; blocks are merged into <paramref name="mean"/> and
    /// <paramref name="m2"/> with <see cref="MergeMeanAndM2"/>. One read of x from memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MeanAndM2<T>(ReadOnlySpan<T> x, int n, int r0, int r1, Span<T> center, Span<T> s1, Span<T> s2, Span<double> mean, Span<double> m2)
        where T : IFloatingPointIeee754<T>
    {
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
                System.Numerics.Tensors.TensorPrimitives.Add(center, x.Slice(i * n, n), center);
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(center, T.One / T.CreateChecked(b1 - b0), center);
            for (int i = b0; i < b1; i++)
            {
                AddDeviations(x.Slice(i * n, n), center, s1, s2);
            }

            MergeBlock(mean, m2, seen, center, s1, s2, b1 - b0);
            seen += b1 - b0;
        }
    }

    /// <summary>Chan et al.: merges (count b, mean b, M2 b) into (count a, mean a, M2 a):
    /// δ = μb − μa, μ = μa + δ·nb/(na+nb), M2 = M2a + M2b + δ²·na·nb/(na+nb).</summary>
    public static void MergeMeanAndM2(Span<double> meanA, Span<double> m2A, long countA, ReadOnlySpan<double> meanB, ReadOnlySpan<double> m2B, long countB)
    {
        double total = countA + countB, wb = countB / total, cross = (double)countA * countB / total;
        for (int j = 0; j < meanA.Length; j++)
        {
            double delta = meanB[j] - meanA[j];
            meanA[j] += delta * wb;
            m2A[j] += m2B[j] + (delta * delta * cross);
        }
    }

    private static void MergeBlock<T>(Span<double> mean, Span<double> m2, long countA, ReadOnlySpan<T> center, ReadOnlySpan<T> s1, ReadOnlySpan<T> s2, int countB)
        where T : IFloatingPointIeee754<T>
    {
        double total = countA + countB, wb = countB / total, cross = (double)countA * countB / total;
        for (int j = 0; j < mean.Length; j++)
        {
            double d1 = double.CreateTruncating(s1[j]);
            double blockMean = double.CreateTruncating(center[j]) + (d1 / countB);
            double blockM2 = double.CreateTruncating(s2[j]) - (d1 * d1 / countB);
            double delta = blockMean - mean[j];
            mean[j] += delta * wb;
            m2[j] += blockM2 + (delta * delta * cross);
        }
    }

    /// <summary>totalA[j] += Σ_i dy[i,j]; totalB[j] += Σ_i dy[i,j]·(x[i,j] − μ[j]) — one fused pass over dy and x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumDyAndDyCentered<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean,
        Span<T> blockA, Span<T> blockB, Span<double> totalA, Span<double> totalB)
        where T : IFloatingPointIeee754<T>
    {
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            blockA.Clear();
            blockB.Clear();
            int b1 = Math.Min(r1, b0 + BlockRows);
            for (int i = b0; i < b1; i++)
            {
                ReadOnlySpan<T> g = dy.Slice(i * n, n), xi = x.Slice(i * n, n);
                int j = 0;
                if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
                {
                    for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
                    {
                        var gv = Load(g, j);
                        Store(Load(blockA, j) + gv, blockA, j);
                        Store(Load(blockB, j) + (gv * (Load(xi, j) - Load(mean, j))), blockB, j);
                    }
                }

                for (; j < n; j++)
                {
                    blockA[j] += g[j];
                    blockB[j] += g[j] * (xi[j] - mean[j]);
                }
            }

            AddToTotal(blockA, totalA);
            AddToTotal(blockB, totalB);
        }
    }

    /// <summary>y[i,j] = (x[i,j] − μ[j])·scale[j] + β[j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, ReadOnlySpan<T> beta, Span<T> y)
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
                    Store(((Load(xi, j) - Load(mean, j)) * Load(scale, j)) + Load(beta, j), yi, j);
                }
            }

            for (; j < n; j++)
            {
                yi[j] = ((xi[j] - mean[j]) * scale[j]) + beta[j];
            }
        }
    }

    /// <summary>dx[i,j] = scale[j]·dy[i,j] + shift[j] − slope[j]·(x[i,j] − μ[j]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, ReadOnlySpan<T> slope, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
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

    /// <summary>s1[j] += row[j] − center[j]; s2[j] += (row[j] − center[j])².</summary>
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
