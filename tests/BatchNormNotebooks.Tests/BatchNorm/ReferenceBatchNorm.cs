namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>
/// An independent float64 batch norm written straight from the formulas (docs/REFERENCE: paper Algorithm 1 and the
/// closed-form backward), one feature at a time with plain loops — no library code — so tests have a second opinion.
/// </summary>
public static class ReferenceBatchNorm
{
    /// <summary>Training forward; returns y and the per-feature mean and biased variance. x is (batch, features) row-major.</summary>
    public static (double[] Y, double[] Mean, double[] Variance) Forward(double[] x, int batch, double[] gamma, double[] beta, double eps)
    {
        int n = gamma.Length;
        var y = new double[x.Length];
        var mean = new double[n];
        var variance = new double[n];
        for (int j = 0; j < n; j++)
        {
            double mu = 0;
            for (int i = 0; i < batch; i++)
            {
                mu += x[(i * n) + j];
            }

            mu /= batch;
            double v = 0;
            for (int i = 0; i < batch; i++)
            {
                v += (x[(i * n) + j] - mu) * (x[(i * n) + j] - mu);
            }

            v /= batch;
            for (int i = 0; i < batch; i++)
            {
                y[(i * n) + j] = (gamma[j] * (x[(i * n) + j] - mu) / Math.Sqrt(v + eps)) + beta[j];
            }

            (mean[j], variance[j]) = (mu, v);
        }

        return (y, mean, variance);
    }

    /// <summary>dx = (1/(m·√(σ²+ε)))·(m·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)) with dx̂ = γ·dy; dγ = Σ dy·x̂; dβ = Σ dy.</summary>
    public static (double[] Dx, double[] DGamma, double[] DBeta) Backward(double[] dy, double[] x, int batch, double[] gamma, double eps)
    {
        int n = gamma.Length;
        var (_, mean, variance) = Forward(x, batch, gamma, new double[n], eps);
        var dx = new double[x.Length];
        var dGamma = new double[n];
        var dBeta = new double[n];
        for (int j = 0; j < n; j++)
        {
            double std = Math.Sqrt(variance[j] + eps);
            double sumDxhat = 0, sumDxhatXhat = 0;
            for (int i = 0; i < batch; i++)
            {
                double xhat = (x[(i * n) + j] - mean[j]) / std;
                double dxhat = gamma[j] * dy[(i * n) + j];
                sumDxhat += dxhat;
                sumDxhatXhat += dxhat * xhat;
                dGamma[j] += dy[(i * n) + j] * xhat;
                dBeta[j] += dy[(i * n) + j];
            }

            for (int i = 0; i < batch; i++)
            {
                double xhat = (x[(i * n) + j] - mean[j]) / std;
                double dxhat = gamma[j] * dy[(i * n) + j];
                dx[(i * n) + j] = ((batch * dxhat) - sumDxhat - (xhat * sumDxhatXhat)) / (batch * std);
            }
        }

        return (dx, dGamma, dBeta);
    }
}
