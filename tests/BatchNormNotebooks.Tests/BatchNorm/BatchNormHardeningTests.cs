namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>
/// Silent failures of issue 13 §1, each made loud: a convention edited with <c>with</c>, ε ≤ 0 given to a kernel,
/// the threaded eval overload with a wrong length, a 0-row batch, and the float32 precision of a feature whose mean
/// is large next to its spread.
/// </summary>
public class BatchNormHardeningTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void With_expression_cannot_set_a_bad_epsilon(double eps)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormConvention.PyTorch with { Epsilon = eps });
        Assert.Equal("Epsilon", ex.ParamName);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void With_expression_cannot_set_a_bad_momentum(double momentum)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormConvention.Keras with { Momentum = momentum });
        Assert.Equal("Momentum", ex.ParamName);
    }

    [Fact]
    public void With_expression_keeps_good_values()
    {
        var c = BatchNormConvention.PyTorch with { Epsilon = 1e-3, Momentum = 0.5 };
        Assert.Equal(1e-3, c.Epsilon);
        Assert.Equal(0.5, c.Momentum);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Kernels_refuse_epsilon_that_is_not_positive_and_finite(double eps)
    {
        const int batch = 4, n = 2;
        double[] x = [1, 1, 1, 2, 1, 3, 1, 4]; // feature 0 constant: ε = 0 would give 0/0
        double[] gamma = [1, 1], beta = [0, 0], mean = new double[n], variance = new double[n], invStd = new double[n], y = new double[batch * n];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormKernels.ForwardTrain(x, batch, gamma, beta, eps, mean, variance, invStd, y));
        Assert.Equal("epsilon", ex.ParamName);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormKernels.ForwardTrain<double>(x.AsSpan(), batch, gamma, beta, eps, mean, variance, invStd, y));
        Assert.Equal("epsilon", ex.ParamName);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormKernels.ForwardEval(x, batch, gamma, beta, new double[n], new double[n], eps, y));
        Assert.Equal("epsilon", ex.ParamName);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormKernels.ForwardEval<double>(x.AsSpan(), batch, gamma, beta, new double[n], new double[n], eps, y));
        Assert.Equal("epsilon", ex.ParamName);
    }

    /// <summary>A shape big enough that the array overloads take their threaded path.</summary>
    private static (int Batch, int Features) ThreadedShape()
    {
        int batch = Math.Max(64, 2 * Environment.ProcessorCount);
        return (batch, (BatchNormKernels.ParallelThreshold / batch) + 1);
    }

    [Theory]
    [InlineData("x", 7)]
    [InlineData("x", -1)]
    [InlineData("y", -1)]
    [InlineData("y", 7)]
    public void Threaded_eval_checks_lengths_before_starting(string argument, int extra)
    {
        var (batch, n) = ThreadedShape();
        var x = new float[(batch * n) + (argument == "x" ? extra : 0)];
        var y = new float[(batch * n) + (argument == "y" ? extra : 0)];
        float[] gamma = new float[n], beta = new float[n], mean = new float[n], variance = new float[n];
        var ex = Assert.ThrowsAny<ArgumentException>(() => BatchNormKernels.ForwardEval(x, batch, gamma, beta, mean, variance, 1e-5f, y));
        Assert.Equal(argument, ex.ParamName);
    }

    [Fact]
    public void Eval_of_an_empty_batch_is_an_empty_result()
    {
        var bn = new BatchNorm1d<float>(3) { Training = false };
        var y = bn.Forward(new Matrix<float>(0, 3));
        Assert.Equal((0, 3), (y.Rows, y.Cols));
        BatchNormKernels.ForwardEval<double>(ReadOnlySpan<double>.Empty, 0, [1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0], 1e-5, []);
    }

    [Fact]
    public void Training_on_an_empty_batch_says_the_batch_is_empty()
    {
        var bn = new BatchNorm1d<float>(3);
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(new Matrix<float>(0, 3)));
        Assert.DoesNotContain("batch of one", ex.Message);
        Assert.Contains("(0, 3)", ex.Message);
        Assert.Contains("empty", ex.Message);
        var kernel = Assert.ThrowsAny<ArgumentException>(() => BatchNormKernels.ForwardTrain<double>(ReadOnlySpan<double>.Empty, 0, [1.0], [0.0], 1e-5, new double[1], new double[1], new double[1], Span<double>.Empty));
        Assert.Equal("batch", kernel.ParamName);
    }

    /// <summary>
    /// float32 features at mean 1e4 with std 1e-2: the float32 mean is off by up to half a float step at 1e4 (4.9e-4),
    /// 5 % of σ, so an x − μ with μ rounded to float shifts every x̂ by up to 0.05. The kernels normalise with the
    /// double-precision mean; y, dx and dγ must then match a float64 computation on the same float32 inputs to ~1e-7
    /// (normwise: max |a − b| / max |b|).
    /// </summary>
    [Theory]
    [InlineData(64, false)]
    [InlineData(1000, false)]
    [InlineData(65536, false)] // 196 608 elements: the threaded path
    [InlineData(64, true)]
    public void Float32_feature_with_a_large_mean_and_tiny_spread_matches_float64(int batch, bool graph)
    {
        const int features = 3;
        var random = new SeededRandom(13);
        var x = new float[batch * features];
        var dy = new float[batch * features];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = (float)random.NextNormal(1e4 + (k % features), 1e-2);
            dy[k] = (float)random.NextNormal();
        }

        var bn = new BatchNorm1d<float>(features) { BackwardMethod = graph ? BatchNormBackward.Graph : BatchNormBackward.ClosedForm };
        float[] gamma = [1f, 2f, 0.5f], beta = [0f, 1f, -1f];
        gamma.CopyTo(bn.Gamma.Value, 0);
        beta.CopyTo(bn.Beta.Value, 0);
        var y = bn.Forward(new Matrix<float>(batch, features, x));
        var dx = bn.Backward(new Matrix<float>(batch, features, dy));

        double[] xd = [.. x.Select(v => (double)v)], dyd = [.. dy.Select(v => (double)v)];
        double[] gd = [1, 2, 0.5], bd = [0, 1, -1];
        var (yRef, _, varianceRef) = ReferenceBatchNorm.Forward(xd, batch, gd, bd, 1e-5);
        var (dxRef, dGammaRef, _) = ReferenceBatchNorm.Backward(dyd, xd, batch, gd, 1e-5);
        Assert.All(varianceRef, v => Assert.InRange(Math.Sqrt(v), 0.5e-2, 2e-2));

        AssertNormwise("y", y.Data, yRef, 3e-7);
        AssertNormwise("dx", dx.Data, dxRef, 3e-7);
        AssertNormwise("dgamma", bn.Gamma.Grad, dGammaRef, 5e-7);
    }

    private static void AssertNormwise(string what, float[] actual, double[] expected, double tolerance)
    {
        double worst = 0, size = 0;
        for (int k = 0; k < expected.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(actual[k] - expected[k]));
            size = Math.Max(size, Math.Abs(expected[k]));
        }

        Assert.True(worst <= tolerance * size, $"{what}: normwise relative error {worst / size:E2} > {tolerance:E0}");
    }
}
