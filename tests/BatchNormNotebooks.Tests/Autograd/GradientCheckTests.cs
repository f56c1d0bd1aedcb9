namespace BatchNormNotebooks.Tests.Autograd;

public class GradientCheckTests
{
    public static TheoryData<string, int, int> Layers => new()
    {
        { "batchnorm", 4, 3 },
        { "batchnorm", 3, 5 },
        { "batchnorm-graph", 7, 2 },
        { "linear", 5, 3 },
        { "linear-nobias", 3, 4 },
        { "sigmoid", 4, 3 },
        { "tanh", 4, 3 },
        { "relu", 4, 3 },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_backward_matches_centred_differences_in_float64(string kind, int batch, int features)
    {
        var rng = new SeededRandom((ulong)(kind.Length * 100 + batch * 10 + features));
        ILayer<double> layer = kind switch
        {
            "batchnorm" => WithRandomAffine(new BatchNorm1d<double>(features), rng),
            "batchnorm-graph" => WithRandomAffine(new BatchNorm1d<double>(features) { BackwardMethod = BatchNormBackward.Graph }, rng),
            "linear" => new Linear<double>(features, 3, rng),
            "linear-nobias" => new Linear<double>(features, 2, rng, bias: false),
            "sigmoid" => new Sigmoid<double>(),
            "tanh" => new Tanh<double>(),
            _ => new ReLU<double>(),
        };
        var x = Matrix<double>.RandomNormal(batch, features, rng, scale: 2);
        if (kind == "relu")
        {
            // keep inputs away from the kink at 0, where a centred difference straddles two slopes
            for (int k = 0; k < x.Data.Length; k++)
            {
                x.Data[k] += Math.Sign(x.Data[k]) * 0.1;
            }
        }

        var result = GradientCheck.CheckLayer(layer, x, seed: 7);

        Assert.True(result.MaxRelativeError <= 1e-7, result.ToString());
        Assert.Equal(1 + layer.Parameters.Count, result.Entries.Count);
    }

    [Fact]
    public void Whole_network_with_batch_norm_passes_the_check()
    {
        var rng = new SeededRandom(3);
        var net = new Sequential<double>(
            new Linear<double>(4, 6, rng, bias: false), WithRandomAffine(new BatchNorm1d<double>(6), rng), new Tanh<double>(),
            new Linear<double>(6, 5, rng, bias: false), WithRandomAffine(new BatchNorm1d<double>(5), rng), new Sigmoid<double>(),
            new Linear<double>(5, 3, rng));
        var x = Matrix<double>.RandomNormal(8, 4, rng);
        var y = Matrix<double>.FromRows([[0], [1], [2], [1], [0], [2], [2], [1]]);

        var result = GradientCheck.CheckNetwork(net, new SoftmaxCrossEntropy<double>(), x, y);

        Assert.True(result.MaxRelativeError <= 1e-5, result.ToString());
        Assert.Equal(1 + net.Parameters.Count, result.Entries.Count);
    }

    [Fact]
    public void A_bias_right_before_batch_norm_gets_no_gradient()
    {
        // Paper §3.2: BN subtracts the batch mean, so a bias added before it cancels; β takes its role.
        var rng = new SeededRandom(4);
        var linear = new Linear<double>(3, 4, rng);
        var net = new Sequential<double>(linear, new BatchNorm1d<double>(4));
        net.Forward(Matrix<double>.RandomNormal(6, 3, rng));
        net.Backward(Matrix<double>.RandomNormal(6, 4, rng));
        Assert.All(linear.Bias!.Grad, g => Assert.True(Math.Abs(g) < 1e-12, $"bias gradient {g}"));
        Assert.Contains(linear.Weight.Grad, g => Math.Abs(g) > 1e-3);
    }

    [Fact]
    public void A_wrong_backward_is_caught_and_named()
    {
        var layer = new Doubler();
        var result = GradientCheck.CheckLayer(layer, Matrix<double>.RandomNormal(3, 2, new SeededRandom(1)));
        Assert.True(result.MaxRelativeError > 0.1);
        Assert.Contains("Doubler", result.Worst!.ToString());
    }

    [Fact]
    public void With_a_batch_of_two_the_output_barely_depends_on_x()
    {
        // m = 2: x̂ = ±σ/√(σ² + ε) ≈ ±1 whatever x is, so ∂y/∂x is of order ε/σ² — a centred difference cannot
        // resolve it to 1e-7 relative error, which is why the check above uses batches of 3 or more.
        var bn = new BatchNorm1d<double>(3);
        var x = Matrix<double>.RandomNormal(2, 3, new SeededRandom(5), scale: 2);
        bn.Forward(x);
        var dx = bn.Backward(Matrix<double>.RandomNormal(2, 3, new SeededRandom(6)));
        Assert.All(dx.Data, v => Assert.True(Math.Abs(v) < 1e-4, $"dx = {v}"));
    }

    [Fact]
    public void Check_leaves_running_statistics_untouched()
    {
        var bn = new BatchNorm1d<double>(2);
        GradientCheck.CheckLayer(bn, Matrix<double>.RandomNormal(4, 2, new SeededRandom(2)));
        Assert.Equal([0.0, 0.0], bn.Running.Mean);
        Assert.Equal([1.0, 1.0], bn.Running.Variance);
    }

    [Fact]
    public void Check_restores_the_batch_count_so_a_cumulative_average_weights_the_next_batch_fully()
    {
        var bn = new BatchNorm1d<double>(2, BatchNormConvention.CumulativeAverage);
        GradientCheck.CheckLayer(bn, Matrix<double>.RandomNormal(4, 2, new SeededRandom(2)));
        Assert.Equal(0, bn.Running.BatchesSeen);

        // The first real batch after the check has weight 1/1: the running mean is that batch's mean.
        var x = Matrix<double>.FromRows([[1.0, 10.0], [3.0, 20.0]]);
        bn.Forward(x);
        Assert.Equal([2.0, 15.0], bn.Running.Mean);
    }

    [Fact]
    public void Check_leaves_the_batch_norm_inside_noisy_batch_norm_untouched()
    {
        var noisy = new NoisyBatchNorm<double>(2, new SeededRandom(3)) { HoldNoise = true };
        noisy.Resample();
        var net = new Sequential<double>(new Linear<double>(2, 2, new SeededRandom(4)), noisy);
        GradientCheck.CheckLayer(noisy, Matrix<double>.RandomNormal(4, 2, new SeededRandom(5)));
        GradientCheck.CheckLayer(net, Matrix<double>.RandomNormal(4, 2, new SeededRandom(6)));
        Assert.Equal([0.0, 0.0], noisy.BatchNorm.Running.Mean);
        Assert.Equal([1.0, 1.0], noisy.BatchNorm.Running.Variance);
        Assert.Equal(0, noisy.BatchNorm.Running.BatchesSeen);
    }

    [Theory]
    [InlineData(new double[] { 1, 2 }, new double[] { 1, 2 }, 0)]
    [InlineData(new double[] { 1, 0 }, new double[] { 3, 0 }, 0.5)]
    [InlineData(new double[] { 1e-12, 0 }, new double[] { 0, 0 }, 1e-4)]
    public void Relative_error_is_the_elementwise_maximum_with_a_floor(double[] a, double[] b, double expected)
    {
        Assert.Equal(expected, GradientCheck.RelativeError(a, b).Error, 12);
    }

    private static BatchNorm1d<double> WithRandomAffine(BatchNorm1d<double> bn, SeededRandom rng)
    {
        for (int j = 0; j < bn.Features; j++)
        {
            bn.Gamma.Value[j] = rng.NextUniform(0.5, 2);
            bn.Beta.Value[j] = rng.NextNormal();
        }

        return bn;
    }

    /// <summary>y = 2x whose backward wrongly returns dy (forgets the 2).</summary>
    private sealed class Doubler : ILayer<double>
    {
        public string Name => "Doubler";

        public bool Training { get; set; }

        public IReadOnlyList<Parameter<double>> Parameters => [];

        public Matrix<double> Forward(Matrix<double> x)
        {
            var y = x.Clone();
            System.Numerics.Tensors.TensorPrimitives.Multiply(y.Data, 2.0, y.Data);
            return y;
        }

        public Matrix<double> Backward(Matrix<double> dy) => dy.Clone();
    }
}
