namespace BatchNormNotebooks.Tests.Autograd;

public class ValueTests
{
    [Fact]
    public void Scalar_autograd_matches_the_vectorized_neuron_on_the_lecture_row()
    {
        // The lecture's neuron z11 = w1·x1 + w2·x2 + b, a11 = σ(z11), on the row (10, 12), loss = BCE against label 1.
        var rng = new SeededRandom(11);
        var linear = new Linear<double>(2, 1, rng);
        var net = new Sequential<double>(linear, new Sigmoid<double>());
        var x = Matrix<double>.FromRows([[10, 12]]);
        var target = Matrix<double>.FromRows([[1]]);
        var bce = new BinaryCrossEntropy<double>();
        double vecLoss = bce.Forward(net.Forward(x), target);
        net.Backward(bce.Backward());

        var w1 = new Value(linear.Weight.Value[0], "w1");
        var w2 = new Value(linear.Weight.Value[1], "w2");
        var b = new Value(linear.Bias!.Value[0], "b");
        var a = ((w1 * 10) + (w2 * 12) + b).Sigmoid();
        var loss = -a.Log();
        loss.Backward();

        Assert.Equal(vecLoss, loss.Data, 12);
        Assert.Equal(linear.Weight.Grad[0], w1.Grad, 12);
        Assert.Equal(linear.Weight.Grad[1], w2.Grad, 12);
        Assert.Equal(linear.Bias.Grad[0], b.Grad, 12);
    }

    [Fact]
    public void Gradients_of_a_reused_value_accumulate()
    {
        var x = new Value(3, "x");
        var y = (x * x) + x; // dy/dx = 2x + 1 = 7
        y.Backward();
        Assert.Equal(7, x.Grad, 12);
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(-1.3)]
    public void Every_primitive_matches_a_centred_difference(double at)
    {
        Func<Value, Value>[] fs =
        [
            v => v.Tanh(), v => v.Sigmoid(), v => v.Exp(), v => (v * v).Log(), v => v.Pow(3), v => 1.0 / (v + 5.0), v => v.Relu() - v,
        ];
        foreach (var f in fs)
        {
            var v = new Value(at);
            var o = f(v);
            o.Backward();
            double h = 1e-5;
            double numeric = (f(new Value(at + h)).Data - f(new Value(at - h)).Data) / (2 * h);
            Assert.True(Math.Abs(numeric - v.Grad) <= 1e-7 * Math.Max(1, Math.Abs(numeric)), $"{o.Op}: {v.Grad} vs {numeric}");
        }
    }

    [Fact]
    public void Graph_lists_inputs_before_outputs()
    {
        var a = new Value(1, "a");
        var b = new Value(2, "b");
        var c = (a * b).Named("c");
        var order = c.Graph();
        Assert.Equal(c, order[^1]);
        Assert.True(order.ToList().IndexOf(a) < order.Count - 1);
        Assert.Equal("*", c.Op);
    }
}
