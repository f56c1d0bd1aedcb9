namespace BatchNormNotebooks.Benchmarks;

/// <summary>The baseline: batch norm forward (train) and backward as plain scalar loops, one feature at a time.</summary>
public static class NaiveBatchNorm
{
    public static void ForwardTrain(float[] x, int batch, int n, float[] gamma, float[] beta, float eps, float[] mean, float[] invStd, float[] y)
    {
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < batch; i++)
            {
                s += x[(i * n) + j];
            }

            float mu = (float)(s / batch);
            double v = 0;
            for (int i = 0; i < batch; i++)
            {
                float d = x[(i * n) + j] - mu;
                v += d * d;
            }

            float r = 1f / MathF.Sqrt((float)(v / batch) + eps);
            mean[j] = mu;
            invStd[j] = r;
            for (int i = 0; i < batch; i++)
            {
                y[(i * n) + j] = (gamma[j] * (x[(i * n) + j] - mu) * r) + beta[j];
            }
        }
    }

    public static void Backward(float[] dy, float[] x, int batch, int n, float[] gamma, float[] mean, float[] invStd, float[] dx, float[] dGamma, float[] dBeta)
    {
        for (int j = 0; j < n; j++)
        {
            float sdy = 0, sdyx = 0;
            for (int i = 0; i < batch; i++)
            {
                float g = dy[(i * n) + j];
                sdy += g;
                sdyx += g * (x[(i * n) + j] - mean[j]) * invStd[j];
            }

            dBeta[j] = sdy;
            dGamma[j] = sdyx;
            float k = gamma[j] * invStd[j] / batch;
            for (int i = 0; i < batch; i++)
            {
                float xhat = (x[(i * n) + j] - mean[j]) * invStd[j];
                dx[(i * n) + j] = k * ((batch * dy[(i * n) + j]) - sdy - (xhat * sdyx));
            }
        }
    }
}
