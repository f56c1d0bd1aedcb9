namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>Bad input to a batch-norm layer or convention: each case a test, checking the message a user would need.</summary>
public class BatchNormBadInputTests
{
    [Fact]
    public void Input_with_the_wrong_feature_count_names_both_shapes()
    {
        var bn = new BatchNorm1d<double>(3);
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(new Matrix<double>(4, 5)));
        Assert.Contains("(batch, 3)", ex.Message);
        Assert.Contains("(4, 5)", ex.Message);
        bn.Training = false;
        Assert.Throws<ArgumentException>(() => bn.Forward(new Matrix<double>(4, 2)));
    }

    [Fact]
    public void Dy_with_another_shape_than_y_names_both_shapes()
    {
        var bn = new BatchNorm1d<double>(3);
        bn.Forward(Matrix<double>.RandomNormal(4, 3, new SeededRandom(1)));
        var ex = Assert.Throws<ArgumentException>(() => bn.Backward(new Matrix<double>(5, 3)));
        Assert.Contains("(4, 3)", ex.Message);
        Assert.Contains("(5, 3)", ex.Message);
    }

    [Fact]
    public void Backward_without_a_training_forward_is_refused()
    {
        var bn = new BatchNorm1d<double>(2);
        Assert.Throws<InvalidOperationException>(() => bn.Backward(new Matrix<double>(3, 2)));
    }

    [Fact]
    public void Training_batch_of_one_fails_with_pytorchs_message()
    {
        var bn = new BatchNorm1d<float>(3);
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(Matrix<float>.FromRows([[1f, 2f, 3f]])));
        Assert.Contains("Expected more than 1 value per channel when training", ex.Message);
        Assert.Equal(0, bn.Running.BatchesSeen);
    }

    [Fact]
    public void Eval_batch_of_one_uses_the_running_statistics()
    {
        var bn = new BatchNorm1d<double>(2) { Training = false };
        bn.Gamma.Value[0] = 2;
        bn.Beta.Value[1] = -1;
        var y = bn.Forward(Matrix<double>.FromRows([[3.0, 4.0]]));
        // Fresh running statistics: mean 0, var 1, so y = γ·x/√(1 + ε) + β.
        Assert.Equal(2 * 3 / Math.Sqrt(1 + 1e-5), y[0, 0], 1e-14);
        Assert.Equal((4 / Math.Sqrt(1 + 1e-5)) - 1, y[0, 1], 1e-14);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Epsilon_not_positive_and_finite_is_out_of_range(double eps)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormConvention("x", MomentumMeaning.WeightOfNewValue, 0.1, true, eps));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormConvention.PyTorch.WithEpsilon(eps));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormConvention.Keras.WithEpsilon(eps));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    [InlineData(2.0)]
    [InlineData(double.NaN)]
    public void Momentum_outside_zero_one_is_out_of_range(double momentum)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormConvention("x", MomentumMeaning.WeightOfOldValue, momentum, false, 1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormConvention.PyTorch.WithMomentum(momentum));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormConvention.Keras.WithMomentum(momentum));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Momentum_at_the_ends_of_the_interval_is_allowed(double momentum)
    {
        Assert.Equal(momentum, BatchNormConvention.PyTorch.WithMomentum(momentum).Momentum);
        Assert.Equal(1e-7, BatchNormConvention.PyTorch.WithEpsilon(1e-7).Epsilon);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_value_in_a_training_batch_names_the_element_and_leaves_the_state_alone(double bad)
    {
        var bn = new BatchNorm1d<double>(3);
        var x = Matrix<double>.RandomNormal(4, 3, new SeededRandom(3));
        x[1, 2] = bad;
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(x));
        Assert.Contains("x[1, 2]", ex.Message);
        Assert.Equal(new double[3], bn.Running.Mean);
        Assert.Equal([1.0, 1.0, 1.0], bn.Running.Variance);
        Assert.Null(bn.Saved);
    }

    [Fact]
    public void NaN_in_eval_stays_in_its_own_element()
    {
        var random = new SeededRandom(5);
        var bn = new BatchNorm1d<float>(3);
        bn.Forward(Matrix<float>.RandomNormal(6, 3, random));
        bn.Training = false;
        var x = Matrix<float>.RandomNormal(4, 3, random);
        var clean = bn.Forward(x);
        x[2, 1] = float.NaN;
        var y = bn.Forward(x);
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                if ((i, j) == (2, 1))
                {
                    Assert.True(float.IsNaN(y[i, j]));
                }
                else
                {
                    Assert.Equal(clean[i, j], y[i, j]);
                }
            }
        }
    }

    [Fact]
    public void Linear_and_activations_name_both_shapes()
    {
        var linear = new Linear<double>(3, 2, new SeededRandom(1));
        var ex = Assert.Throws<ArgumentException>(() => linear.Forward(new Matrix<double>(4, 5)));
        Assert.Contains("(batch, 3)", ex.Message);
        Assert.Contains("(4, 5)", ex.Message);
        linear.Forward(new Matrix<double>(4, 3));
        ex = Assert.Throws<ArgumentException>(() => linear.Backward(new Matrix<double>(4, 3)));
        Assert.Contains("(4, 2)", ex.Message);
        Assert.Contains("(4, 3)", ex.Message);
        foreach (var activation in new Activation<double>[] { new Sigmoid<double>(), new Tanh<double>(), new ReLU<double>() })
        {
            activation.Forward(new Matrix<double>(2, 3));
            ex = Assert.Throws<ArgumentException>(() => activation.Backward(new Matrix<double>(3, 2)));
            Assert.Contains("(2, 3)", ex.Message);
            Assert.Contains("(3, 2)", ex.Message);
        }
    }
}
