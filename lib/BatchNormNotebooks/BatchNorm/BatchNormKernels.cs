using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace BatchNormNotebooks;

/// <summary>
/// Pure batch-norm kernels over a row-major (batch, features) mini-batch, the math of paper Algorithm 1 without
/// any state. <see cref="BatchNorm1d{T}"/> is the thin stateful layer around them.
/// Every kernel takes spans, checks ε and every length first (an <see cref="ArgumentException"/> naming the argument;
/// features = x.Length / batch) and writes into the destinations given last. The array overloads check the same way
/// before they split big batches across cores.
/// Taught in notebooks/03-batchnorm-algorithm.
/// </summary>
/// <remarks>Files: this one holds the public kernels; <c>BatchNormKernels.Arguments.cs</c> the argument checks,
/// <c>BatchNormKernels.Threads.cs</c> the row split across cores, <c>BatchNormKernels.PerFeature.cs</c> the per-feature
/// finishing steps in double; <see cref="BatchNormRows"/> the vectorized row loops, <see cref="BatchNormScratch{T}"/>
/// the pooled, named scratch buffers and <see cref="ChanMerge"/> the merge of partial means and variances.</remarks>
public static partial class BatchNormKernels
{
    /// <summary>Batch-norm forward in training mode (paper Algorithm 1).</summary>
    /// <param name="x">Mini-batch, shape (batch, features), row-major.</param>
    /// <param name="batch">m, the number of rows, at least 1.</param>
    /// <param name="gamma">Scale γ, length features.</param>
    /// <param name="beta">Shift β, length features.</param>
    /// <param name="epsilon">ε &gt; 0 (finite) added to the variance.</param>
    /// <param name="mean">Destination for μ_B, length features.</param>
    /// <param name="variance">Destination for the biased σ²_B = (1/m)Σ(x − μ_B)², length features.</param>
    /// <param name="invStd">Destination for 1/√(σ²_B + ε), length features (what backward needs).</param>
    /// <param name="y">Destination, shape (batch, features); may not overlap x.</param>
    /// <remarks>Effectively computes y[i,j] = γ[j]·(x[i,j] − μ[j]) / √(σ²[j] + ε) + β[j].
    /// Two passes over memory: the statistics, then y = (x − μ)·(γ/√(σ²+ε)) + β. The statistics go block by block
    /// (a few rows that stay in cache): an approximate mean c of the block, then Σ(x − c) and Σ(x − c)² while the block
    /// is in cache, merged into double-precision running values with Chan et al.'s formula — so a large mean does not
    /// cancel the variance and float32 statistics of a large batch stay accurate. The normalisation uses the
    /// double-precision mean, not μ rounded to T: y = (x − μ_T)·scale + (β − (μ − μ_T)·scale), so a float32 feature
    /// with mean 1e4 and std 1e-2 keeps ~1e-7 relative accuracy. A NaN in column j makes μ[j], σ²[j] and the whole
    /// column j of y NaN. This overload runs on the calling thread; the array overload splits big batches across cores.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">batch &lt; 1, or ε not finite and &gt; 0.</exception>
    /// <exception cref="ArgumentException">A span's length does not fit (batch, features); the message names it.</exception>
    public static void ForwardTrain<T>(ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, T epsilon,
        Span<T> mean, Span<T> variance, Span<T> invStd, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int n = CheckForwardTrain(x.Length, batch, gamma.Length, beta.Length, epsilon, mean.Length, variance.Length, invStd.Length, y.Length);
        using var scratch = new BatchNormScratch<T>(1, n);
        var statistics = scratch.Statistics(0);
        BatchNormRows.MeanAndM2(x, n, 0, batch, statistics);
        FinishStatistics(statistics.Mean, statistics.M2, batch, epsilon, gamma, beta, mean, variance, invStd, scratch.Scale, scratch.Shift);
        BatchNormRows.Normalize(x, n, 0, batch, mean, scratch.Scale, scratch.Shift, y);
    }

    /// <summary>Batch-norm forward in training mode over arrays; splits the rows across cores when the batch is big
    /// (more than <see cref="ParallelThreshold"/> elements). Same results as the span overload up to float rounding
    /// of the partial sums; same checks, made before any thread starts.</summary>
    public static void ForwardTrain<T>(T[] x, int batch, T[] gamma, T[] beta, T epsilon, T[] mean, T[] variance, T[] invStd, T[] y)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(beta);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(variance);
        ArgumentNullException.ThrowIfNull(invStd);
        ArgumentNullException.ThrowIfNull(y);
        int n = CheckForwardTrain(x.Length, batch, gamma.Length, beta.Length, epsilon, mean.Length, variance.Length, invStd.Length, y.Length);
        int threads = ThreadsFor(x.Length, batch);
        if (threads == 1)
        {
            ForwardTrain<T>(x.AsSpan(), batch, gamma, beta, epsilon, mean, variance, invStd, y);
            return;
        }

        using var scratch = new BatchNormScratch<T>(threads, n);
        Parallel.For(0, threads, t => BatchNormRows.MeanAndM2<T>(x, n, RowStart(t, threads, batch), RowStart(t + 1, threads, batch), scratch.Statistics(t)));
        var total = scratch.Statistics(0);
        for (int t = 1; t < threads; t++)
        {
            var part = scratch.Statistics(t);
            int rowsBefore = RowStart(t, threads, batch), rows = RowStart(t + 1, threads, batch) - rowsBefore;
            var merge = new ChanMerge(rowsBefore, rows);
            for (int j = 0; j < n; j++)
            {
                merge.Into(ref total.Mean[j], ref total.M2[j], part.Mean[j], part.M2[j]);
            }
        }

        FinishStatistics(total.Mean, total.M2, batch, epsilon, gamma, beta, mean, variance, invStd, scratch.Scale, scratch.Shift);
        Parallel.For(0, threads, t => BatchNormRows.Normalize<T>(x, n, RowStart(t, threads, batch), RowStart(t + 1, threads, batch), mean, scratch.Scale, scratch.Shift, y));
    }

    /// <summary>Batch-norm forward in evaluation mode (paper Algorithm 2) with stored statistics.</summary>
    /// <param name="x">Input, shape (batch, features); batch may be 1, or 0 (then there is nothing to do, as in PyTorch).</param>
    /// <param name="batch">Number of rows, ≥ 0.</param>
    /// <param name="gamma">γ, length features.</param>
    /// <param name="beta">β, length features.</param>
    /// <param name="runningMean">E[x] per feature.</param>
    /// <param name="runningVariance">Var[x] per feature.</param>
    /// <param name="epsilon">ε &gt; 0 (finite).</param>
    /// <param name="y">Destination, shape (batch, features).</param>
    /// <remarks>Effectively computes y[i,j] = γ[j]/√(Var[j] + ε)·x[i,j] + (β[j] − γ[j]·E[j]/√(Var[j] + ε)),
    /// one affine map per feature; each output depends only on its own input, so a NaN stays in its element. Outputs of
    /// 4 MiB and more are written with non-temporal stores (<see cref="BatchNormStreaming"/>), same rounding.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">batch &lt; 0, or ε not finite and &gt; 0.</exception>
    /// <exception cref="ArgumentException">A span's length does not fit (batch, features); the message names it.</exception>
    public static void ForwardEval<T>(ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta,
        ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVariance, T epsilon, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int n = CheckForwardEval(x.Length, batch, gamma.Length, beta.Length, runningMean.Length, runningVariance.Length, epsilon, y.Length);
        T[] rented = ArrayPool<T>.Shared.Rent(2 * n);
        try
        {
            Span<T> scale = rented.AsSpan(0, n);
            Span<T> shift = rented.AsSpan(n, n);
            TensorPrimitives.Add(runningVariance, epsilon, scale);
            TensorPrimitives.ReciprocalSqrt(scale, scale);
            TensorPrimitives.Multiply(scale, gamma, scale);                 // α = γ/√(Var + ε)
            TensorPrimitives.Multiply(runningMean, scale, shift);
            TensorPrimitives.Subtract(beta, shift, shift);                  // β' = β − α·E[x]
            if (!BatchNormStreaming.TryAffine<T>(x, n, scale, shift, y))   // big outputs: non-temporal stores
            {
                BatchNormRows.Affine<T>(x, n, 0, batch, scale, shift, y);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>Eval-mode forward over arrays; splits the rows across cores when the batch is big. Same checks as the
    /// span overload, made before any thread starts.</summary>
    public static void ForwardEval<T>(T[] x, int batch, T[] gamma, T[] beta, T[] runningMean, T[] runningVariance, T epsilon, T[] y)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(beta);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVariance);
        ArgumentNullException.ThrowIfNull(y);
        int n = CheckForwardEval(x.Length, batch, gamma.Length, beta.Length, runningMean.Length, runningVariance.Length, epsilon, y.Length);
        int threads = ThreadsFor(x.Length, batch);
        if (threads == 1)
        {
            ForwardEval<T>(x.AsSpan(), batch, gamma, beta, runningMean, runningVariance, epsilon, y);
            return;
        }

        Parallel.For(0, threads, t =>
        {
            int r0 = RowStart(t, threads, batch), r1 = RowStart(t + 1, threads, batch);
            ForwardEval<T>(x.AsSpan(r0 * n, (r1 - r0) * n), r1 - r0, gamma, beta, runningMean, runningVariance, epsilon, y.AsSpan(r0 * n, (r1 - r0) * n));
        });
    }

    /// <summary>Batch-norm backward, closed form (training mode).</summary>
    /// <param name="dy">∂L/∂y, shape (batch, features).</param>
    /// <param name="x">The forward input, shape (batch, features).</param>
    /// <param name="batch">m, at least 1.</param>
    /// <param name="gamma">γ, length features.</param>
    /// <param name="mean">μ_B saved by <see cref="ForwardTrain{T}(ReadOnlySpan{T}, int, ReadOnlySpan{T}, ReadOnlySpan{T}, T, Span{T}, Span{T}, Span{T}, Span{T})"/>.</param>
    /// <param name="invStd">1/√(σ²_B + ε) saved by the forward.</param>
    /// <param name="dx">Destination ∂L/∂x, shape (batch, features).</param>
    /// <param name="dGamma">Destination ∂L/∂γ = Σ_i dy_i·x̂_i.</param>
    /// <param name="dBeta">Destination ∂L/∂β = Σ_i dy_i.</param>
    /// <remarks>Effectively computes dx_i = γ/(m·√(σ²+ε))·(m·dy_i − Σdy − x̂_i·Σ(dy·x̂)), which is the textbook
    /// (1/(m·√(σ²+ε)))·(m·dx̂_i − Σdx̂ − x̂_i·Σ(dx̂·x̂)) with dx̂ = γ·dy. Two passes: one fused pass for Σdy,
    /// Σ(x − μ)·dy and Σ(x − μ), then dx_i = γr·dy_i − γr·Σdy/m − (x_i − μ_B)·γr³·Σ(x − μ_B)dy/m with r = 1/√(σ²+ε).
    /// <paramref name="mean"/> is μ_B rounded to T; when that rounding could shift x̂ by more than 2⁻²² (|μ|/σ large,
    /// e.g. a float32 feature with mean 1e4 and std 1e-2), the fused pass also sums x − mean, which recovers the exact
    /// batch mean in double, so such a feature keeps ~1e-7 relative accuracy.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">batch &lt; 1.</exception>
    /// <exception cref="ArgumentException">A span's length does not fit (batch, features); the message names it.</exception>
    public static void BackwardClosedForm<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd, Span<T> dx, Span<T> dGamma, Span<T> dBeta)
        where T : IFloatingPointIeee754<T>
    {
        int n = CheckBackward(dy.Length, x.Length, batch, gamma.Length, mean.Length, invStd.Length, dx.Length, dGamma.Length, dBeta.Length);
        using var scratch = new BatchNormScratch<T>(1, n);
        var sums = scratch.BackwardSums(0);
        BatchNormRows.BackwardSums(dy, x, n, 0, batch, mean, sums, NeedsExactMean(mean, invStd));
        FinishBackwardSums(sums.SumDy, sums.SumDyCentered, sums.SumCentered, batch, gamma, invStd, dGamma, dBeta, scratch.Scale, scratch.Shift, scratch.Slope);
        BatchNormRows.Backward(dy, x, n, 0, batch, mean, scratch.Scale, scratch.Shift, scratch.Slope, dx);
    }

    /// <summary>Closed-form backward over arrays; splits the rows across cores when the batch is big. Same checks as
    /// the span overload, made before any thread starts.</summary>
    public static void BackwardClosedForm<T>(T[] dy, T[] x, int batch, T[] gamma, T[] mean, T[] invStd, T[] dx, T[] dGamma, T[] dBeta)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(invStd);
        ArgumentNullException.ThrowIfNull(dx);
        ArgumentNullException.ThrowIfNull(dGamma);
        ArgumentNullException.ThrowIfNull(dBeta);
        int n = CheckBackward(dy.Length, x.Length, batch, gamma.Length, mean.Length, invStd.Length, dx.Length, dGamma.Length, dBeta.Length);
        int threads = ThreadsFor(x.Length, batch);
        if (threads == 1)
        {
            BackwardClosedForm<T>(dy.AsSpan(), x, batch, gamma, mean, invStd, dx, dGamma, dBeta);
            return;
        }

        using var scratch = new BatchNormScratch<T>(threads, n);
        bool exactMean = NeedsExactMean<T>(mean, invStd);
        Parallel.For(0, threads, t => BatchNormRows.BackwardSums<T>(dy, x, n, RowStart(t, threads, batch), RowStart(t + 1, threads, batch), mean, scratch.BackwardSums(t), exactMean));
        var total = scratch.CombineBackwardSums();
        FinishBackwardSums(total.SumDy, total.SumDyCentered, total.SumCentered, batch, gamma, invStd, dGamma, dBeta, scratch.Scale, scratch.Shift, scratch.Slope);
        Parallel.For(0, threads, t => BatchNormRows.Backward<T>(dy, x, n, RowStart(t, threads, batch), RowStart(t + 1, threads, batch), mean,
            scratch.Scale, scratch.Shift, scratch.Slope, dx));
    }

    /// <summary>Batch-norm backward, step by step through the computational graph (cs231n's "staged" version).</summary>
    /// <remarks>Same arguments, checks and results as <c>BackwardClosedForm</c>. The forward graph is
    /// μ = mean(x) → d = x − μ → v = mean(d²) → s = √(v + ε) → r = 1/s → x̂ = d·r → y = γ·x̂ + β,
    /// and each line below is the chain rule through one node, in reverse. Written for reading, one feature at a time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardGraph<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd, Span<T> dx, Span<T> dGamma, Span<T> dBeta)
        where T : IFloatingPointIeee754<T>
    {
        int n = CheckBackward(dy.Length, x.Length, batch, gamma.Length, mean.Length, invStd.Length, dx.Length, dGamma.Length, dBeta.Length);
        T m = T.CreateChecked(batch);
        T two = T.CreateChecked(2);
        for (int j = 0; j < n; j++)
        {
            T r = invStd[j];                       // r = 1/s
            T s = T.One / r;                       // s = √(v + ε)
            T dBetaJ = T.Zero, sumGD = T.Zero, sumD = T.Zero;
            for (int i = 0; i < batch; i++)
            {
                T d = x[(i * n) + j] - mean[j];    // d from the rounded mean, corrected below
                T g = dy[(i * n) + j];
                dBetaJ += g;                       // y = γx̂ + β      → ∂β = Σ dy
                sumGD += g * d;
                sumD += d;
            }

            // mean[j] is μ rounded to T; δ = Σ(x − mean[j])/m puts back what the rounding took off (matters in float32
            // when |μ| ≫ σ), so d = x − mean[j] − δ and Σ dy·d = sumGD − δ·Σ dy.
            T delta = sumD / m;
            sumGD -= delta * dBetaJ;
            T dGammaJ = sumGD * r;                 //                  ∂γ = Σ dy·x̂
            T dR = gamma[j] * sumGD;               // x̂ = d·r         → ∂r = Σ ∂x̂·d, with ∂x̂ = γ·dy
            T dS = -dR / (s * s);                  // r = 1/s         → ∂s = −∂r/s²
            T dV = dS / (two * s);                 // s = √(v + ε)    → ∂v = ∂s/(2s)
            T dMu = T.Zero;
            for (int i = 0; i < batch; i++)
            {
                T d = x[(i * n) + j] - mean[j] - delta;
                T dD = (gamma[j] * dy[(i * n) + j] * r) + (two * d * dV / m); // ∂d from x̂ = d·r and from v = mean(d²)
                dx[(i * n) + j] = dD;              // d = x − μ       → ∂x gets ∂d ...
                dMu -= dD;                         //                  ... and ∂μ = −Σ ∂d
            }

            for (int i = 0; i < batch; i++)
            {
                dx[(i * n) + j] += dMu / m;        // μ = mean(x)     → ∂x += ∂μ/m
            }

            dGamma[j] = dGammaJ;
            dBeta[j] = dBetaJ;
        }
    }
}
