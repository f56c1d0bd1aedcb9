using System.Numerics;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>
/// The two backwards — step by step through the graph and the closed form — agree with each other and with an
/// independent float64 reference (<see cref="ReferenceBatchNorm"/>), over a table of shapes, in float and double.
/// </summary>
public class BatchNormBackwardTests
{
    public static TheoryData<int, int, string> Shapes => new()
    {
        { 2, 1, "double" }, { 2, 3, "double" }, { 3, 5, "double" }, { 7, 2, "double" }, { 16, 8, "double" }, { 64, 33, "double" },
        { 2, 1, "float" }, { 2, 3, "float" }, { 3, 5, "float" }, { 7, 2, "float" }, { 16, 8, "float" }, { 64, 33, "float" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Graph_and_closed_form_agree_with_each_other_and_the_reference(int batch, int features, string type)
    {
        if (type == "double")
        {
            Check<double>(batch, features, 1e-12);
        }
        else
        {
            Check<float>(batch, features, 2e-5);
        }
    }

    /// <summary>Errors are |a − b| / max(1, |b|) after dividing by the size of the terms of dx, |γ|·max|dy|/σ.</summary>
    internal static void Check<T>(int batch, int features, double tolerance, ulong seed = 7) where T : IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(seed + (ulong)(batch * 1000) + (ulong)features);
        double[] x = Draw(random, batch * features, 3, 1);
        double[] dy = Draw(random, batch * features, 1, 0);
        double[] gamma = Draw(random, features, 0.5, 1);
        double[] beta = Draw(random, features, 0.5, 0);
        const double eps = 1e-5;

        var closed = Run<T>(x, dy, batch, gamma, beta, eps, graph: false);
        var graph = Run<T>(x, dy, batch, gamma, beta, eps, graph: true);
        var (dxRef, dGammaRef, dBetaRef) = ReferenceBatchNorm.Backward(dy, x, batch, gamma, eps);
        var (_, _, variance) = ReferenceBatchNorm.Forward(x, batch, gamma, beta, eps);
        double scale = 1;
        for (int k = 0; k < dy.Length; k++)
        {
            int j = k % features;
            scale = Math.Max(scale, Math.Abs(gamma[j] * dy[k]) / Math.Sqrt(variance[j] + eps));
        }

        AssertClose("dx graph vs closed form", graph.Dx, closed.Dx, tolerance, scale);
        AssertClose("dgamma graph vs closed form", graph.DGamma, closed.DGamma, tolerance, batch);
        AssertClose("dbeta graph vs closed form", graph.DBeta, closed.DBeta, tolerance, batch);
        AssertClose("dx closed form vs reference", closed.Dx, dxRef, tolerance, scale);
        AssertClose("dgamma closed form vs reference", closed.DGamma, dGammaRef, tolerance, batch);
        AssertClose("dbeta closed form vs reference", closed.DBeta, dBetaRef, tolerance, batch);
    }

    private static (double[] Dx, double[] DGamma, double[] DBeta) Run<T>(double[] x, double[] dy, int batch, double[] gamma, double[] beta, double eps, bool graph)
        where T : IFloatingPointIeee754<T>
    {
        int n = gamma.Length;
        T[] xt = Cast<T>(x), dyt = Cast<T>(dy), g = Cast<T>(gamma), b = Cast<T>(beta);
        T[] mean = new T[n], variance = new T[n], invStd = new T[n], y = new T[x.Length];
        BatchNormKernels.ForwardTrain<T>(xt, batch, g, b, T.CreateChecked(eps), mean, variance, invStd, y);
        T[] dx = new T[x.Length], dGamma = new T[n], dBeta = new T[n];
        if (graph)
        {
            BatchNormKernels.BackwardGraph<T>(dyt, xt, batch, g, mean, invStd, dx, dGamma, dBeta);
        }
        else
        {
            BatchNormKernels.BackwardClosedForm<T>(dyt, xt, batch, g, mean, invStd, dx, dGamma, dBeta);
        }

        return (ToDouble(dx), ToDouble(dGamma), ToDouble(dBeta));
    }

    internal static double[] Draw(SeededRandom random, int count, double std, double mean)
    {
        var v = new double[count];
        for (int k = 0; k < count; k++)
        {
            v[k] = random.NextNormal(mean, std);
        }

        return v;
    }

    internal static T[] Cast<T>(double[] values) where T : INumberBase<T> => [.. values.Select(T.CreateChecked)];

    internal static double[] ToDouble<T>(T[] values) where T : INumberBase<T> => [.. values.Select(double.CreateChecked)];

    internal static void AssertClose(string what, double[] actual, double[] expected, double tolerance, double scale)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            double e = Math.Abs(actual[k] - expected[k]) / Math.Max(1, Math.Abs(expected[k])) / scale;
            Assert.True(e <= tolerance, $"{what}: element {k} is {actual[k]:R}, expected {expected[k]:R} (error {e:E2} > {tolerance:E0}).");
        }
    }
}
