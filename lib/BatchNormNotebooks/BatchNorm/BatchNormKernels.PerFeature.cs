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
        int j = 0;
        if (Vector.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            // Eight features at a time: the same double operations lane by lane, rounded to float as the scalar loop does.
            int w = Vector<double>.Count;
            var b = new Vector<double>(batch);
            var e = new Vector<double>(eps);
            ReadOnlySpan<float> g = BatchNormRows.Reinterpret<T, float>(gamma), bt = BatchNormRows.Reinterpret<T, float>(beta);
            Span<float> mf = BatchNormRows.Reinterpret<T, float>(mean), vf = BatchNormRows.Reinterpret<T, float>(variance);
            Span<float> rf = BatchNormRows.Reinterpret<T, float>(invStd), kf = BatchNormRows.Reinterpret<T, float>(scale);
            Span<float> hf = BatchNormRows.Reinterpret<T, float>(shift);
            for (; j <= variance.Length - (2 * w); j += 2 * w)
            {
                var muLo = BatchNormRows.Load(meanD, j);
                var muHi = BatchNormRows.Load(meanD, j + w);
                var vLo = BatchNormRows.Load(m2, j) / b;
                var vHi = BatchNormRows.Load(m2, j + w) / b;
                var muT = Vector.Narrow(muLo, muHi);
                BatchNormRows.Store(muT, mf, j);
                BatchNormRows.Store(Vector.Narrow(vLo, vHi), vf, j);
                var r = Vector.Narrow(Vector<double>.One / Vector.SquareRoot(vLo + e), Vector<double>.One / Vector.SquareRoot(vHi + e));
                BatchNormRows.Store(r, rf, j);
                var k = BatchNormRows.Load(g, j) * r;
                BatchNormRows.Store(k, kf, j);
                Vector.Widen(muT, out var muTLo, out var muTHi);
                Vector.Widen(k, out var kLo, out var kHi);
                Vector.Widen(BatchNormRows.Load(bt, j), out var btLo, out var btHi);
                BatchNormRows.Store(Vector.Narrow(btLo - ((muLo - muTLo) * kLo), btHi - ((muHi - muTHi) * kHi)), hf, j);
            }
        }

        for (; j < variance.Length; j++)
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
        int j = 0;
        if (Vector.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            // Eight features at a time: the same double operations lane by lane, rounded to float as the scalar loop does.
            int w = Vector<double>.Count;
            var b = new Vector<double>(batch);
            ReadOnlySpan<float> gf = BatchNormRows.Reinterpret<T, float>(gamma), rf = BatchNormRows.Reinterpret<T, float>(invStd);
            Span<float> dgf = BatchNormRows.Reinterpret<T, float>(dGamma), dbf = BatchNormRows.Reinterpret<T, float>(dBeta);
            Span<float> kf = BatchNormRows.Reinterpret<T, float>(scale), hf = BatchNormRows.Reinterpret<T, float>(shift);
            Span<float> lf = BatchNormRows.Reinterpret<T, float>(slope);
            for (; j <= gamma.Length - (2 * w); j += 2 * w)
            {
                Vector.Widen(BatchNormRows.Load(gf, j), out var gLo, out var gHi);
                Vector.Widen(BatchNormRows.Load(rf, j), out var rLo, out var rHi);
                var lo = BackwardCoefficients(gLo, rLo, BatchNormRows.Load(sumDy, j), BatchNormRows.Load(sumDyCentered, j), BatchNormRows.Load(sumCentered, j), b);
                var hi = BackwardCoefficients(gHi, rHi, BatchNormRows.Load(sumDy, j + w), BatchNormRows.Load(sumDyCentered, j + w), BatchNormRows.Load(sumCentered, j + w), b);
                BatchNormRows.Store(Vector.Narrow(BatchNormRows.Load(sumDy, j), BatchNormRows.Load(sumDy, j + w)), dbf, j);
                BatchNormRows.Store(Vector.Narrow(lo.DGamma, hi.DGamma), dgf, j);
                BatchNormRows.Store(Vector.Narrow(lo.Scale, hi.Scale), kf, j);
                BatchNormRows.Store(Vector.Narrow(lo.Slope, hi.Slope), lf, j);
                BatchNormRows.Store(Vector.Narrow(lo.Shift, hi.Shift), hf, j);
            }
        }

        for (; j < gamma.Length; j++)
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

    /// <summary>The scalar loop's per-feature formulas of <see cref="FinishBackwardSums{T}"/> on a vector of features.</summary>
    private static (Vector<double> DGamma, Vector<double> Scale, Vector<double> Slope, Vector<double> Shift) BackwardCoefficients(
        Vector<double> g, Vector<double> r, Vector<double> sumDy, Vector<double> sumDyCentered, Vector<double> sumCentered, Vector<double> batch)
    {
        var delta = sumCentered / batch;
        var s = sumDyCentered - (delta * sumDy);
        var slope = g * r * r * r * s / batch;
        return (s * r, g * r, slope, (-g * r * sumDy / batch) + (slope * delta));
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
