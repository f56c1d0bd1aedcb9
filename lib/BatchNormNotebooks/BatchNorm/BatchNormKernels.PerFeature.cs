using System.Numerics;
using System.Runtime.CompilerServices;

namespace BatchNormNotebooks;

/// <summary>The per-feature finishing steps, in double, between a kernel's two passes over the rows.</summary>
public static partial class BatchNormKernels
{
    /// <summary>From the merged statistics (mean and M2 in double): μ rounded to T, σ² = M2/m, r = 1/√(σ² + ε), and
    /// the forward's per-feature coefficients scale = γ·r and shift = β − (μ − μ_T)·scale, so that
    /// y = (x − μ_T)·scale + shift equals γ·(x − μ)·r + β with the double-precision μ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void FinishStatistics<T>(ReadOnlySpan<double> meanD, ReadOnlySpan<double> m2, int batch, T epsilon,
        ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> mean, Span<T> variance, Span<T> invStd, Span<T> scale, Span<T> shift)
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
            double rounding = meanD[j] - double.CreateChecked(mean[j]);
            shift[j] = T.CreateChecked(double.CreateChecked(beta[j]) - (rounding * double.CreateChecked(scale[j])));
        }
    }

    /// <summary>From the backward's sums Σdy, Σdy·(x − μ_T) and Σ(x − μ_T), with μ_T the mean as saved in T:
    /// δ = Σ(x − μ_T)/m (the part of the exact batch mean that rounding to T lost), S = Σdy·(x − μ) = Σdy·(x − μ_T) − δ·Σdy;
    /// dβ = Σdy, dγ = r·S, and the per-feature coefficients of dx = scale·dy + shift − slope·(x − μ_T):
    /// scale = γr, slope = γr³·S/m, shift = −γr·Σdy/m + slope·δ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static void FinishBackwardSums<T>(ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyCentered, ReadOnlySpan<double> sumCentered,
        int batch, ReadOnlySpan<T> gamma, ReadOnlySpan<T> invStd, Span<T> dGamma, Span<T> dBeta, Span<T> scale, Span<T> shift, Span<T> slope)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < gamma.Length; j++)
        {
            double r = double.CreateChecked(invStd[j]), g = double.CreateChecked(gamma[j]);
            double delta = sumCentered[j] / batch;
            double s = sumDyCentered[j] - (delta * sumDy[j]);
            double slopeJ = g * r * r * r * s / batch;
            dBeta[j] = T.CreateChecked(sumDy[j]);
            dGamma[j] = T.CreateChecked(s * r);
            scale[j] = T.CreateChecked(g * r);
            slope[j] = T.CreateChecked(slopeJ);
            shift[j] = T.CreateChecked((-g * r * sumDy[j] / batch) + (slopeJ * delta));
        }
    }

    /// <summary>Whether the backward must recover the exact batch mean: true when, for some feature, μ rounded to T
    /// (off by at most |μ|·u, u the unit roundoff of T: 2⁻²⁴ in float32) could shift x̂ = (x − μ)·r by more than 2⁻²²,
    /// i.e. |μ|·r·u &gt; 2⁻²². Otherwise the shift is below a few roundings of x̂ and the cheaper pass is used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first call: no slow tier-0 loops
    private static bool NeedsExactMean<T>(ReadOnlySpan<T> mean, ReadOnlySpan<T> invStd)
        where T : IFloatingPointIeee754<T>
    {
        double unitRoundoff = double.CreateChecked(T.One - T.BitDecrement(T.One));
        double limit = Math.ScaleB(1, -22) / unitRoundoff;
        for (int j = 0; j < mean.Length; j++)
        {
            if (!(double.Abs(double.CreateChecked(mean[j]) * double.CreateChecked(invStd[j])) <= limit))
            {
                return true;
            }
        }

        return false;
    }
}
