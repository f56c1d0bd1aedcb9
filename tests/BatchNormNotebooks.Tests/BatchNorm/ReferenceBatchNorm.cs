using System.Numerics;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>
/// The one readable reference batch norm, written straight from the formulas (Ioffe and Szegedy 2015, Algorithm 1, and
/// the textbook closed-form backward), one feature at a time with plain loops and every sum in double — no library
/// code, so tests have a second opinion. Tests run it in float64; the benchmarks (tests/BatchNormNotebooks.Benchmarks
/// compiles this file) time it in float32 as the naive scalar baseline.
/// </summary>
public static class ReferenceBatchNorm
{
    /// <summary>Training forward: μ = (1/m)Σx, σ² = (1/m)Σ(x − μ)², r = 1/√(σ² + ε), y = γ·(x − μ)·r + β.</summary>
    /// <param name="x">Mini-batch, (batch, n) row-major.</param>
    /// <param name="batch">m, the number of rows.</param>
    /// <param name="n">The number of features.</param>
    /// <param name="gamma">γ, length n.</param>
    /// <param name="beta">β, length n.</param>
    /// <param name="eps">ε.</param>
    /// <param name="mean">Destination for μ, length n.</param>
    /// <param name="invStd">Destination for r, length n.</param>
    /// <param name="y">Destination, (batch, n).</param>
    /// <param name="variance">Optional destination for the biased σ², length n.</param>
    public static void ForwardTrain<T>(T[] x, int batch, int n, T[] gamma, T[] beta, T eps, T[] mean, T[] invStd, T[] y, T[]? variance = null)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < n; j++)
        {
            double mu = 0;
            for (int i = 0; i < batch; i++)
            {
                mu += double.CreateChecked(x[(i * n) + j]);
            }

            mu /= batch;
            double v = 0;
            for (int i = 0; i < batch; i++)
            {
                double d = double.CreateChecked(x[(i * n) + j]) - mu;
                v += d * d;
            }

            v /= batch;
            double r = 1 / Math.Sqrt(v + double.CreateChecked(eps));
            for (int i = 0; i < batch; i++)
            {
                double xhat = (double.CreateChecked(x[(i * n) + j]) - mu) * r;
                y[(i * n) + j] = T.CreateChecked((double.CreateChecked(gamma[j]) * xhat) + double.CreateChecked(beta[j]));
            }

            mean[j] = T.CreateChecked(mu);
            invStd[j] = T.CreateChecked(r);
            if (variance is not null)
            {
                variance[j] = T.CreateChecked(v);
            }
        }
    }

    /// <summary>Closed-form backward with x̂ = (x − μ)·r and dx̂ = γ·dy: dx = (r/m)·(m·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂));
    /// dγ = Σ dy·x̂; dβ = Σ dy. μ and r as saved by <see cref="ForwardTrain{T}"/>.</summary>
    public static void Backward<T>(T[] dy, T[] x, int batch, int n, T[] gamma, T[] mean, T[] invStd, T[] dx, T[] dGamma, T[] dBeta)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < n; j++)
        {
            double mu = double.CreateChecked(mean[j]), r = double.CreateChecked(invStd[j]), g = double.CreateChecked(gamma[j]);
            double sumDxhat = 0, sumDxhatXhat = 0, sumDyXhat = 0, sumDy = 0;
            for (int i = 0; i < batch; i++)
            {
                double xhat = (double.CreateChecked(x[(i * n) + j]) - mu) * r;
                double dyi = double.CreateChecked(dy[(i * n) + j]);
                sumDxhat += g * dyi;
                sumDxhatXhat += g * dyi * xhat;
                sumDyXhat += dyi * xhat;
                sumDy += dyi;
            }

            for (int i = 0; i < batch; i++)
            {
                double xhat = (double.CreateChecked(x[(i * n) + j]) - mu) * r;
                double dxhat = g * double.CreateChecked(dy[(i * n) + j]);
                dx[(i * n) + j] = T.CreateChecked(r / batch * ((batch * dxhat) - sumDxhat - (xhat * sumDxhatXhat)));
            }

            dGamma[j] = T.CreateChecked(sumDyXhat);
            dBeta[j] = T.CreateChecked(sumDy);
        }
    }

    /// <summary>Training forward in float64; returns y and the per-feature mean and biased variance. x is (batch, features) row-major.</summary>
    public static (double[] Y, double[] Mean, double[] Variance) Forward(double[] x, int batch, double[] gamma, double[] beta, double eps)
    {
        int n = gamma.Length;
        double[] y = new double[x.Length], mean = new double[n], variance = new double[n];
        ForwardTrain(x, batch, n, gamma, beta, eps, mean, new double[n], y, variance);
        return (y, mean, variance);
    }

    /// <summary>Backward in float64 after a forward on the same x (β does not matter); returns dx, dγ, dβ.</summary>
    public static (double[] Dx, double[] DGamma, double[] DBeta) Backward(double[] dy, double[] x, int batch, double[] gamma, double eps)
    {
        int n = gamma.Length;
        double[] mean = new double[n], invStd = new double[n], dx = new double[x.Length], dGamma = new double[n], dBeta = new double[n];
        ForwardTrain(x, batch, n, gamma, new double[n], eps, mean, invStd, new double[x.Length]);
        Backward(dy, x, batch, n, gamma, mean, invStd, dx, dGamma, dBeta);
        return (dx, dGamma, dBeta);
    }
}
