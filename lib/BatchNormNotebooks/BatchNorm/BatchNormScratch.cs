using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>
/// Pooled scratch memory for one batch-norm kernel call, handed out as named views: per thread the forward's
/// <see cref="ForwardStatisticsBuffers{T}"/> or the backward's <see cref="BackwardSumBuffers{T}"/>, and three
/// per-feature coefficient vectors. Returned to <see cref="ArrayPool{T}"/> on dispose, so steady-state calls allocate
/// nothing on the single-threaded path.
/// </summary>
internal readonly struct BatchNormScratch<T> : IDisposable where T : IFloatingPointIeee754<T>
{
    /// <summary>Per-thread vectors of each kind (three in T, three in double).</summary>
    private const int PerThread = 3;

    private readonly int _n, _threads;
    private readonly T[] _blocks, _coefficients;
    private readonly double[] _totals;

    /// <summary>Rents buffers for <paramref name="threads"/> threads over <paramref name="n"/> features; the double totals start at 0.</summary>
    public BatchNormScratch(int threads, int n)
    {
        _n = n;
        _threads = threads;
        _blocks = ArrayPool<T>.Shared.Rent(PerThread * threads * n);
        _coefficients = ArrayPool<T>.Shared.Rent(3 * n);
        _totals = ArrayPool<double>.Shared.Rent(PerThread * threads * n);
        _totals.AsSpan(0, PerThread * threads * n).Clear();
    }

    /// <summary>Per-feature scale: γ·r in the forward and in the backward.</summary>
    public Span<T> Scale => _coefficients.AsSpan(0, _n);

    /// <summary>Per-feature shift: the forward's β − (μ − μ_T)·scale, the backward's −γr·Σdy/m + slope·δ.</summary>
    public Span<T> Shift => _coefficients.AsSpan(_n, _n);

    /// <summary>Per-feature slope of the backward: γr³·Σ(x − μ)dy/m.</summary>
    public Span<T> Slope => _coefficients.AsSpan(2 * _n, _n);

    /// <summary>Thread <paramref name="thread"/>'s buffers for the forward statistics.</summary>
    public ForwardStatisticsBuffers<T> Statistics(int thread) =>
        new(Block(0, thread), Block(1, thread), Block(2, thread), Total(0, thread), Total(1, thread));

    /// <summary>Thread <paramref name="thread"/>'s buffers for the backward's sums.</summary>
    public BackwardSumBuffers<T> BackwardSums(int thread) =>
        new(Block(0, thread), Block(1, thread), Block(2, thread), Total(0, thread), Total(1, thread), Total(2, thread));

    /// <summary>Adds every thread's backward totals into thread 0's and returns thread 0's buffers.</summary>
    public BackwardSumBuffers<T> CombineBackwardSums()
    {
        for (int kind = 0; kind < PerThread; kind++)
        {
            Span<double> sum = Total(kind, 0);
            for (int t = 1; t < _threads; t++)
            {
                TensorPrimitives.Add(sum, Total(kind, t), sum);
            }
        }

        return BackwardSums(0);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ArrayPool<T>.Shared.Return(_blocks);
        ArrayPool<T>.Shared.Return(_coefficients);
        ArrayPool<double>.Shared.Return(_totals);
    }

    private Span<T> Block(int kind, int thread) => _blocks.AsSpan(((kind * _threads) + thread) * _n, _n);

    private Span<double> Total(int kind, int thread) => _totals.AsSpan(((kind * _threads) + thread) * _n, _n);
}

/// <summary>
/// One thread's buffers for the forward statistics over its rows, each of length features. The block sums live in T
/// (a block of <see cref="BatchNormRows.BlockRows"/> rows stays in cache); the running values are in double.
/// </summary>
internal readonly ref struct ForwardStatisticsBuffers<T>(Span<T> center, Span<T> sumDeviation, Span<T> sumSquaredDeviation, Span<double> mean, Span<double> m2)
{
    /// <summary>The current block's approximate mean c.</summary>
    public Span<T> Center { get; } = center;

    /// <summary>Σ(x − c) over the current block.</summary>
    public Span<T> SumDeviation { get; } = sumDeviation;

    /// <summary>Σ(x − c)² over the current block.</summary>
    public Span<T> SumSquaredDeviation { get; } = sumSquaredDeviation;

    /// <summary>The mean of the rows so far, in double.</summary>
    public Span<double> Mean { get; } = mean;

    /// <summary>Σ(x − Mean)² of the rows so far, in double.</summary>
    public Span<double> M2 { get; } = m2;
}

/// <summary>
/// One thread's buffers for the backward's sums over its rows, each of length features, with μ_T the saved mean:
/// block sums in T over <see cref="BatchNormRows.BlockRows"/> rows, totals in double.
/// </summary>
internal readonly ref struct BackwardSumBuffers<T>(Span<T> blockSumDy, Span<T> blockSumDyCentered, Span<T> blockSumCentered,
    Span<double> sumDy, Span<double> sumDyCentered, Span<double> sumCentered)
{
    /// <summary>Σdy over the current block.</summary>
    public Span<T> BlockSumDy { get; } = blockSumDy;

    /// <summary>Σdy·(x − μ_T) over the current block.</summary>
    public Span<T> BlockSumDyCentered { get; } = blockSumDyCentered;

    /// <summary>Σ(x − μ_T) over the current block.</summary>
    public Span<T> BlockSumCentered { get; } = blockSumCentered;

    /// <summary>Σdy over the rows so far, in double.</summary>
    public Span<double> SumDy { get; } = sumDy;

    /// <summary>Σdy·(x − μ_T) over the rows so far, in double.</summary>
    public Span<double> SumDyCentered { get; } = sumDyCentered;

    /// <summary>Σ(x − μ_T) over the rows so far, in double.</summary>
    public Span<double> SumCentered { get; } = sumCentered;
}
