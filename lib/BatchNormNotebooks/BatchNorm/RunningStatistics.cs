using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BatchNormNotebooks;

/// <summary>
/// The non-learnable state of a batch-norm layer: a running mean and a running variance per feature, updated
/// after every training batch under a <see cref="BatchNormConvention"/>. The optimizer never sees these.
/// </summary>
/// <remarks>
/// Update with w = <see cref="BatchNormConvention.NewValueWeight"/>(t):
/// mean ← (1 − w)·mean + w·μ_B and var ← (1 − w)·var + w·v_B, where v_B = m/(m−1)·σ²_B (unbiased, Bessel's
/// correction) or σ²_B (biased), m the batch size. Starts at mean 0, var 1; never bias-corrected.
/// Taught in notebooks/05-moving-averages-inference.
/// </remarks>
public sealed class RunningStatistics<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Creates running statistics for <paramref name="features"/> features at mean 0, variance 1.</summary>
    public RunningStatistics(int features, BatchNormConvention convention)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentNullException.ThrowIfNull(convention);
        Convention = convention;
        Mean = new T[features];
        Variance = new T[features];
        Reset();
    }

    /// <summary>The convention followed by <see cref="Update"/>.</summary>
    public BatchNormConvention Convention { get; }

    /// <summary>Running mean per feature (initially 0).</summary>
    public T[] Mean { get; }

    /// <summary>Running variance per feature (initially 1).</summary>
    public T[] Variance { get; }

    /// <summary>How many batches have been folded in (PyTorch's num_batches_tracked).</summary>
    public long BatchesSeen { get; private set; }

    /// <summary>Back to mean 0, variance 1, no batches seen.</summary>
    public void Reset()
    {
        Mean.AsSpan().Clear();
        Variance.AsSpan().Fill(T.One);
        BatchesSeen = 0;
    }

    /// <summary>Puts back a state saved earlier (mean, variance and batch count), e.g. after a gradient check.</summary>
    internal void Restore(ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, long batchesSeen)
    {
        mean.CopyTo(Mean);
        variance.CopyTo(Variance);
        BatchesSeen = batchesSeen;
    }

    /// <summary>Folds in one batch's statistics.</summary>
    /// <param name="batchMean">μ_B per feature, length features.</param>
    /// <param name="batchVariance">Biased σ²_B per feature (divides by m), length features.</param>
    /// <param name="batchSize">m, at least 2 when the convention stores the unbiased variance.</param>
    public void Update(ReadOnlySpan<T> batchMean, ReadOnlySpan<T> batchVariance, int batchSize)
    {
        if (batchMean.Length != Mean.Length || batchVariance.Length != Mean.Length)
        {
            throw new ArgumentException($"Running statistics have {Mean.Length} features but the batch statistics have {batchMean.Length} means and {batchVariance.Length} variances.");
        }

        if (batchSize < 2 && Convention.UnbiasedRunningVariance)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The unbiased running variance m/(m−1)·σ² needs a batch of at least 2.");
        }

        BatchesSeen++;
        T w = T.CreateChecked(Convention.NewValueWeight(BatchesSeen));
        T keep = T.One - w;
        T bessel = Convention.UnbiasedRunningVariance ? T.CreateChecked(batchSize) / T.CreateChecked(batchSize - 1) : T.One;
        Blend(Mean, batchMean, keep, w);
        Blend(Variance, batchVariance, keep, w * bessel);
    }

    /// <summary>running[j] = keep·running[j] + weight·batch[j] (a product, a product, then their sum), vectorized.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blend(Span<T> running, ReadOnlySpan<T> batch, T keep, T weight)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var k = new Vector<T>(keep);
            var v = new Vector<T>(weight);
            ref T r0 = ref MemoryMarshal.GetReference(running);
            ref T b0 = ref MemoryMarshal.GetReference(batch);
            for (; j <= running.Length - Vector<T>.Count; j += Vector<T>.Count)
            {
                ((k * Vector.LoadUnsafe(ref r0, (nuint)j)) + (v * Vector.LoadUnsafe(ref b0, (nuint)j))).StoreUnsafe(ref r0, (nuint)j);
            }
        }

        for (; j < running.Length; j++)
        {
            running[j] = (keep * running[j]) + (weight * batch[j]);
        }
    }
}
