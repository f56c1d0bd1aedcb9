using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>
/// Pure batch-norm kernels over a row-major (batch, features) mini-batch, the math of paper Algorithm 1 without
/// any state. <see cref="BatchNorm1d{T}"/> is the thin stateful layer around them.
/// Every kernel takes spans, checks lengths first and writes into the destinations given last.
/// Taught in notebooks/03-batchnorm-algorithm.
/// </summary>
public static class BatchNormKernels
{
    /// <summary>Batch-norm forward in training mode (paper Algorithm 1).</summary>
    /// <param name="x">Mini-batch, shape (batch, features), row-major; features = gamma.Length.</param>
    /// <param name="batch">m, the number of rows, at least 1.</param>
    /// <param name="gamma">Scale γ, length features.</param>
    /// <param name="beta">Shift β, length features.</param>
    /// <param name="epsilon">ε &gt; 0 added to the variance.</param>
    /// <param name="mean">Destination for μ_B, length features.</param>
    /// <param name="variance">Destination for the biased σ²_B = (1/m)Σ(x − μ_B)², length features.</param>
    /// <param name="invStd">Destination for 1/√(σ²_B + ε), length features (what backward needs).</param>
    /// <param name="y">Destination, shape (batch, features); may not overlap x.</param>
    /// <remarks>Effectively computes y[i,j] = γ[j]·(x[i,j] − μ[j]) / √(σ²[j] + ε) + β[j]. Two passes for the
    /// statistics (mean, then squared deviations) so a large mean does not cancel the variance.
    /// A NaN in column j makes μ[j], σ²[j] and the whole column j of y NaN.</remarks>
    public static void ForwardTrain<T>(ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, T epsilon,
        Span<T> mean, Span<T> variance, Span<T> invStd, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int n = gamma.Length;
        CheckShapes(x.Length, batch, n, beta.Length, y.Length);
        CheckLength(mean.Length, n, nameof(mean));
        CheckLength(variance.Length, n, nameof(variance));
        CheckLength(invStd.Length, n, nameof(invStd));

        // μ = (1/m) Σ x_i, accumulated row by row so the loop runs along contiguous features.
        mean.Clear();
        for (int i = 0; i < batch; i++)
        {
            TensorPrimitives.Add(mean, x.Slice(i * n, n), mean);
        }

        T invM = T.One / T.CreateChecked(batch);
        TensorPrimitives.Multiply(mean, invM, mean);

        // σ² = (1/m) Σ (x_i − μ)²; y_i temporarily holds x_i − μ.
        variance.Clear();
        for (int i = 0; i < batch; i++)
        {
            Span<T> d = y.Slice(i * n, n);
            TensorPrimitives.Subtract(x.Slice(i * n, n), mean, d);
            TensorPrimitives.MultiplyAdd(d, d, variance, variance);
        }

        TensorPrimitives.Multiply(variance, invM, variance);

        // 1/√(σ² + ε), then y_i = (x_i − μ)·invStd·γ + β.
        TensorPrimitives.Add(variance, epsilon, invStd);
        TensorPrimitives.ReciprocalSqrt(invStd, invStd);
        for (int i = 0; i < batch; i++)
        {
            Span<T> row = y.Slice(i * n, n);
            TensorPrimitives.Multiply(row, invStd, row);
            TensorPrimitives.MultiplyAdd(row, gamma, beta, row);
        }
    }

    /// <summary>Batch-norm forward in evaluation mode (paper Algorithm 2) with stored statistics.</summary>
    /// <param name="x">Input, shape (batch, features); batch may be 1.</param>
    /// <param name="batch">Number of rows.</param>
    /// <param name="gamma">γ, length features.</param>
    /// <param name="beta">β, length features.</param>
    /// <param name="runningMean">E[x] per feature.</param>
    /// <param name="runningVariance">Var[x] per feature.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="y">Destination, shape (batch, features).</param>
    /// <remarks>Effectively computes y[i,j] = γ[j]/√(Var[j] + ε)·x[i,j] + (β[j] − γ[j]·E[j]/√(Var[j] + ε)),
    /// one affine map per feature; each output depends only on its own input, so a NaN stays in its element.</remarks>
    public static void ForwardEval<T>(ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta,
        ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVariance, T epsilon, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int n = gamma.Length;
        CheckShapes(x.Length, batch, n, beta.Length, y.Length);
        CheckLength(runningMean.Length, n, nameof(runningMean));
        CheckLength(runningVariance.Length, n, nameof(runningVariance));

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
            for (int i = 0; i < batch; i++)
            {
                TensorPrimitives.MultiplyAdd(x.Slice(i * n, n), scale, shift, y.Slice(i * n, n));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>Batch-norm backward, closed form (training mode).</summary>
    /// <param name="dy">∂L/∂y, shape (batch, features).</param>
    /// <param name="x">The forward input, shape (batch, features).</param>
    /// <param name="batch">m.</param>
    /// <param name="gamma">γ, length features.</param>
    /// <param name="mean">μ_B saved by <see cref="ForwardTrain"/>.</param>
    /// <param name="invStd">1/√(σ²_B + ε) saved by <see cref="ForwardTrain"/>.</param>
    /// <param name="dx">Destination ∂L/∂x, shape (batch, features).</param>
    /// <param name="dGamma">Destination ∂L/∂γ = Σ_i dy_i·x̂_i.</param>
    /// <param name="dBeta">Destination ∂L/∂β = Σ_i dy_i.</param>
    /// <remarks>Effectively computes dx_i = γ/(m·√(σ²+ε))·(m·dy_i − Σdy − x̂_i·Σ(dy·x̂)), which is the textbook
    /// (1/(m·√(σ²+ε)))·(m·dx̂_i − Σdx̂ − x̂_i·Σ(dx̂·x̂)) with dx̂ = γ·dy. Two passes over the batch.</remarks>
    public static void BackwardClosedForm<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd, Span<T> dx, Span<T> dGamma, Span<T> dBeta)
        where T : IFloatingPointIeee754<T>
    {
        int n = gamma.Length;
        CheckBackwardShapes(dy, x, batch, n, mean, invStd, dx, dGamma, dBeta);

        // Pass 1: dβ = Σ dy, dγ = Σ dy·x̂; dx_i temporarily holds x̂_i.
        dBeta.Clear();
        dGamma.Clear();
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<T> dyi = dy.Slice(i * n, n);
            Span<T> xhat = dx.Slice(i * n, n);
            TensorPrimitives.Subtract(x.Slice(i * n, n), mean, xhat);
            TensorPrimitives.Multiply(xhat, invStd, xhat);
            TensorPrimitives.Add(dBeta, dyi, dBeta);
            TensorPrimitives.MultiplyAdd(dyi, xhat, dGamma, dGamma);
        }

        // Pass 2: dx_i = k·(dy_i − dβ/m − x̂_i·dγ/m) with k = γ·invStd.
        T[] rented = ArrayPool<T>.Shared.Rent(3 * n);
        try
        {
            Span<T> k = rented.AsSpan(0, n);
            Span<T> a = rented.AsSpan(n, n);
            Span<T> b = rented.AsSpan(2 * n, n);
            T invM = T.One / T.CreateChecked(batch);
            TensorPrimitives.Multiply(gamma, invStd, k);
            TensorPrimitives.Multiply(dGamma, -invM, a);
            TensorPrimitives.Multiply(dBeta, -invM, b);
            for (int i = 0; i < batch; i++)
            {
                Span<T> dxi = dx.Slice(i * n, n);
                TensorPrimitives.MultiplyAdd(dxi, a, dy.Slice(i * n, n), dxi);
                TensorPrimitives.Add(dxi, b, dxi);
                TensorPrimitives.Multiply(dxi, k, dxi);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>Batch-norm backward, step by step through the computational graph (cs231n's "staged" version).</summary>
    /// <remarks>Same arguments and results as <see cref="BackwardClosedForm"/>. The forward graph is
    /// μ = mean(x) → d = x − μ → v = mean(d²) → s = √(v + ε) → r = 1/s → x̂ = d·r → y = γ·x̂ + β,
    /// and each line below is the chain rule through one node, in reverse. Written for reading, one feature at a time.</remarks>
    public static void BackwardGraph<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd, Span<T> dx, Span<T> dGamma, Span<T> dBeta)
        where T : IFloatingPointIeee754<T>
    {
        int n = gamma.Length;
        CheckBackwardShapes(dy, x, batch, n, mean, invStd, dx, dGamma, dBeta);
        T m = T.CreateChecked(batch);
        T two = T.CreateChecked(2);
        for (int j = 0; j < n; j++)
        {
            T r = invStd[j];                       // r = 1/s
            T s = T.One / r;                       // s = √(v + ε)
            T dBetaJ = T.Zero, dGammaJ = T.Zero, dR = T.Zero;
            for (int i = 0; i < batch; i++)
            {
                T d = x[(i * n) + j] - mean[j];
                T g = dy[(i * n) + j];
                dBetaJ += g;                       // y = γx̂ + β      → ∂β = Σ dy
                dGammaJ += g * d * r;              //                  ∂γ = Σ dy·x̂
                dR += g * gamma[j] * d;            // x̂ = d·r         → ∂r = Σ ∂x̂·d, with ∂x̂ = γ·dy
            }

            T dS = -dR / (s * s);                  // r = 1/s         → ∂s = −∂r/s²
            T dV = dS / (two * s);                 // s = √(v + ε)    → ∂v = ∂s/(2s)
            T dMu = T.Zero;
            for (int i = 0; i < batch; i++)
            {
                T d = x[(i * n) + j] - mean[j];
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

    private static void CheckShapes(int xLength, int batch, int features, int betaLength, int yLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (xLength != batch * features)
        {
            throw new ArgumentException($"x has {xLength} elements but shape (batch {batch}, features {features}) needs {batch * features}.", "x");
        }

        CheckLength(betaLength, features, "beta");
        CheckLength(yLength, batch * features, "y");
    }

    private static void CheckBackwardShapes<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, int n,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd, Span<T> dx, Span<T> dGamma, Span<T> dBeta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        CheckLength(x.Length, batch * n, nameof(x));
        CheckLength(dy.Length, batch * n, nameof(dy));
        CheckLength(dx.Length, batch * n, nameof(dx));
        CheckLength(mean.Length, n, nameof(mean));
        CheckLength(invStd.Length, n, nameof(invStd));
        CheckLength(dGamma.Length, n, nameof(dGamma));
        CheckLength(dBeta.Length, n, nameof(dBeta));
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has length {actual} but {expected} was expected.", name);
        }
    }
}
