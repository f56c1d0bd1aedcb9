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

    /// <summary>μ = x₀ + Σ(x − x₀)/m, from the shifted sums of pass 1.</summary>
    private static void FinishMean<T>(ReadOnlySpan<double> shiftedTotal, ReadOnlySpan<T> firstRow, int batch, Span<T> mean)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < mean.Length; j++)
        {
            mean[j] = T.CreateChecked(double.CreateChecked(firstRow[j]) + (shiftedTotal[j] / batch));
        }
    }

    /// <summary>σ² = Σ(x − μ)²/m, r = 1/√(σ² + ε), and the forward's per-feature scale γ·r.</summary>
    private static void FinishVariance<T>(ReadOnlySpan<double> total, int batch, T epsilon, Span<T> variance, Span<T> invStd, ReadOnlySpan<T> gamma, Span<T> scale)
        where T : IFloatingPointIeee754<T>
    {
        double eps = double.CreateChecked(epsilon);
        for (int j = 0; j < variance.Length; j++)
        {
            double v = total[j] / batch;
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
            _blocks = ArrayPool<T>.Shared.Rent(2 * threads * n);
            _coefficients = ArrayPool<T>.Shared.Rent(3 * n);
            _totals = ArrayPool<double>.Shared.Rent(2 * threads * n);
            _totals.AsSpan(0, 2 * threads * n).Clear();
        }

        public Span<T> Scale => _coefficients.AsSpan(0, _n);

        public Span<T> Shift => _coefficients.AsSpan(_n, _n);

        public Span<T> Slope => _coefficients.AsSpan(2 * _n, _n);

        public Span<T> Block(int thread) => _blocks.AsSpan(thread * _n, _n);

        public Span<T> Block2(int thread) => _blocks.AsSpan((_threads + thread) * _n, _n);

        public Span<double> Totals(int thread) => _totals.AsSpan(thread * _n, _n);

        public Span<double> Totals2(int thread) => _totals.AsSpan((_threads + thread) * _n, _n);

        public void ClearTotals() => _totals.AsSpan(0, 2 * _threads * _n).Clear();

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
    public const int BlockRows = 64;

    /// <summary>total[j] += Σ_i (x[i,j] − c[j]) (or its square when <paramref name="squared"/>), c = <paramref name="center"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumColumns<T>(ReadOnlySpan<T> x, int n, int r0, int r1, ReadOnlySpan<T> center, bool squared, Span<T> block, Span<double> total)
        where T : IFloatingPointIeee754<T>
    {
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            block.Clear();
            int b1 = Math.Min(r1, b0 + BlockRows);
            for (int i = b0; i < b1; i++)
            {
                AccumulateRow(x.Slice(i * n, n), center, squared, block);
            }

            AddToTotal(block, total);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRow<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> center, bool squared, Span<T> acc)
        where T : IFloatingPointIeee754<T>
    {
        int n = row.Length, j = 0;
        if (center.IsEmpty)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(acc, row, acc);
            return;
        }

        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                var d = Load(row, j) - Load(center, j);
                Store(Load(acc, j) + (squared ? d * d : d), acc, j);
            }
        }

        for (; j < n; j++)
        {
            T d = row[j] - center[j];
            acc[j] += squared ? d * d : d;
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
