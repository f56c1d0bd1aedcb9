namespace BatchNormNotebooks.Tests.BatchNorm;

public class NoisyBatchNormTests
{
    [Fact]
    public void Training_output_is_batch_norm_times_scale_plus_shift()
    {
        var x = Matrix<double>.RandomNormal(8, 3, new SeededRandom(1), scale: 3);
        var noisy = new NoisyBatchNorm<double>(3, new SeededRandom(2));
        var plain = new BatchNorm1d<double>(3);
        var y = noisy.Forward(x);
        var a = plain.Forward(x);
        for (int i = 0; i < 8; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal((noisy.Scale[j] * a[i, j]) + noisy.Shift[j], y[i, j], 12);
            }
        }

        Assert.All(noisy.Scale, s => Assert.InRange(s, 0.5, 2.0));
        Assert.All(noisy.Shift, m => Assert.InRange(m, -1.0, 1.0));
    }

    [Fact]
    public void Noise_changes_every_training_step_and_repeats_with_the_seed()
    {
        var x = Matrix<double>.RandomNormal(6, 4, new SeededRandom(3));
        var first = new NoisyBatchNorm<double>(4, new SeededRandom(7));
        var again = new NoisyBatchNorm<double>(4, new SeededRandom(7));
        first.Forward(x);
        double[] s1 = (double[])first.Scale.Clone();
        first.Forward(x);
        Assert.NotEqual(s1, first.Scale);
        again.Forward(x);
        Assert.Equal(s1, again.Scale);
    }

    [Fact]
    public void Eval_mode_is_plain_batch_norm_with_running_statistics()
    {
        var rng = new SeededRandom(4);
        var noisy = new NoisyBatchNorm<double>(3, new SeededRandom(5));
        var plain = new BatchNorm1d<double>(3);
        for (int step = 0; step < 5; step++)
        {
            var batch = Matrix<double>.RandomNormal(10, 3, rng, scale: 2);
            noisy.Forward(batch);
            plain.Forward(batch);
        }

        noisy.Training = false;
        plain.Training = false;
        var x = Matrix<double>.RandomNormal(1, 3, rng);
        Assert.Equal(plain.Forward(x).Data, noisy.Forward(x).Data);
        Assert.False(noisy.BatchNorm.Training);
    }

    [Fact]
    public void Backward_matches_centred_differences_with_the_noise_held()
    {
        var rng = new SeededRandom(6);
        var noisy = new NoisyBatchNorm<double>(4, new SeededRandom(8));
        for (int j = 0; j < 4; j++)
        {
            noisy.BatchNorm.Gamma.Value[j] = rng.NextUniform(0.5, 1.5);
            noisy.BatchNorm.Beta.Value[j] = rng.NextNormal();
        }

        noisy.Resample();
        noisy.HoldNoise = true;
        var x = Matrix<double>.RandomNormal(5, 4, rng, scale: 2);
        var result = GradientCheck.CheckLayer(noisy, x, seed: 9);
        Assert.True(result.MaxRelativeError <= 1e-7, result.ToString());
    }

    [Fact]
    public void A_network_with_noisy_batch_norm_passes_the_gradient_check()
    {
        var rng = new SeededRandom(10);
        var noisy = new NoisyBatchNorm<double>(3, new SeededRandom(11)) { HoldNoise = true };
        noisy.Resample();
        var net = new Sequential<double>(new Linear<double>(2, 3, rng, bias: false), noisy, new Sigmoid<double>(), new Linear<double>(3, 1, rng), new Sigmoid<double>());
        var x = Matrix<double>.RandomNormal(6, 2, rng);
        var y = new Matrix<double>(6, 1, [1, 0, 1, 1, 0, 0]);
        var result = GradientCheck.CheckNetwork(net, new BinaryCrossEntropy<double>(), x, y);
        Assert.True(result.MaxRelativeError <= 1e-7, result.ToString());
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoisyBatchNorm<double>(3, new SeededRandom(0), minScale: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoisyBatchNorm<double>(3, new SeededRandom(0), minScale: 2, maxScale: 1));
        var noisy = new NoisyBatchNorm<double>(3, new SeededRandom(0));
        noisy.Forward(Matrix<double>.RandomNormal(4, 3, new SeededRandom(1)));
        Assert.Throws<ArgumentException>(() => noisy.Backward(new Matrix<double>(4, 2)));
    }
}
