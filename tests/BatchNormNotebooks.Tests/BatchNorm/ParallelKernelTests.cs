namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>The array overloads split big batches across threads; they must agree with the single-threaded span path
/// and with the step-by-step graph backward.</summary>
public class ParallelKernelTests
{
    [Theory]
    [InlineData(1024, 256)]
    [InlineData(4099, 37)]
    public void Threaded_and_single_threaded_kernels_agree(int batch, int n)
    {
        Assert.True(batch * n >= BatchNormKernels.ParallelThreshold);
        var rng = new SeededRandom(8);
        double[] x = [.. Enumerable.Range(0, batch * n).Select(_ => rng.NextNormal(5, 3))];
        double[] dy = [.. Enumerable.Range(0, batch * n).Select(_ => rng.NextNormal())];
        double[] gamma = [.. Enumerable.Range(0, n).Select(_ => rng.NextUniform(0.5, 2))];
        double[] beta = [.. Enumerable.Range(0, n).Select(_ => rng.NextNormal())];

        double[] m1 = new double[n], v1 = new double[n], r1 = new double[n], y1 = new double[batch * n];
        double[] m2 = new double[n], v2 = new double[n], r2 = new double[n], y2 = new double[batch * n];
        BatchNormKernels.ForwardTrain(x, batch, gamma, beta, 1e-5, m1, v1, r1, y1);                 // arrays: threaded
        BatchNormKernels.ForwardTrain<double>(x.AsSpan(), batch, gamma, beta, 1e-5, m2, v2, r2, y2); // span: one thread
        AssertClose(y2, y1, 1e-12);
        AssertClose(v2, v1, 1e-12);

        double[] dx1 = new double[batch * n], dg1 = new double[n], db1 = new double[n];
        double[] dx2 = new double[batch * n], dg2 = new double[n], db2 = new double[n];
        BatchNormKernels.BackwardClosedForm(dy, x, batch, gamma, m1, r1, dx1, dg1, db1);
        BatchNormKernels.BackwardGraph<double>(dy, x, batch, gamma, m1, r1, dx2, dg2, db2);
        AssertClose(dx2, dx1, 1e-10);
        AssertClose(dg2, dg1, 1e-10);
        AssertClose(db2, db1, 1e-10);

        double[] e1 = new double[batch * n], e2 = new double[batch * n];
        BatchNormKernels.ForwardEval(x, batch, gamma, beta, m1, v1, 1e-5, e1);
        BatchNormKernels.ForwardEval<double>(x.AsSpan(), batch, gamma, beta, m1, v1, 1e-5, e2);
        AssertClose(e2, e1, 1e-12);
        AssertClose(y1, e1, 1e-9); // eval with the batch's own statistics is the training output
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance * Math.Max(1, Math.Abs(expected[k])), $"index {k}: {expected[k]:R} vs {actual[k]:R}");
        }
    }
}
