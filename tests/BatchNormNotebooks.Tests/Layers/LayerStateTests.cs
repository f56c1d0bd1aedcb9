using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Layers;

/// <summary>Issue 13 §1: a Forward that throws must not leave an older batch behind for Backward, and changing x in
/// place between Forward and Backward must not change the gradients. Plus the buffered path's contract.</summary>
public class LayerStateTests
{
    public static TheoryData<string> LayerKinds => ["BatchNorm1d", "Linear", "Sigmoid", "Sequential"];

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void Backward_after_a_Forward_that_threw_throws_instead_of_returning_the_previous_gradient(string kind)
    {
        var layer = Make(kind);
        var random = new SeededRandom(11);
        var x = Matrix<double>.RandomNormal(5, 3, random);
        var dy = Matrix<double>.RandomNormal(5, 3, random);
        layer.Forward(x);
        layer.Backward(dy);

        // BatchNorm1d and the network reject NaN in a training batch; Linear and Sigmoid reject a null or mis-shaped x.
        var bad = kind is "BatchNorm1d" or "Sequential" ? x.Clone() : new Matrix<double>(5, 4);
        bad[2, 1] = double.NaN;
        Assert.ThrowsAny<ArgumentException>(() => layer.Forward(kind == "Sigmoid" ? null! : bad));

        var ex = Assert.Throws<InvalidOperationException>(() => layer.Backward(dy));
        Assert.Contains("threw", ex.Message);
    }

    [Fact]
    public void BatchNorm_Saved_is_null_after_a_Forward_that_threw()
    {
        var bn = new BatchNorm1d<double>(3);
        var x = Matrix<double>.RandomNormal(4, 3, new SeededRandom(3));
        bn.Forward(x);
        Assert.NotNull(bn.Saved);
        x[0, 0] = double.NaN;
        Assert.Throws<ArgumentException>(() => bn.Forward(x));
        Assert.Null(bn.Saved);
    }

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void Changing_x_in_place_after_Forward_does_not_change_the_gradients(string kind)
    {
        var random = new SeededRandom(5);
        var x = Matrix<double>.RandomNormal(6, 3, random);
        var dy = Matrix<double>.RandomNormal(6, 3, random);
        var reference = Make(kind);
        reference.Forward(x.Clone());
        var expectedDx = reference.Backward(dy);

        var layer = Make(kind);
        layer.Forward(x);
        for (int k = 0; k < x.Data.Length; k++)
        {
            x.Data[k] = (x.Data[k] * 3) + 1;   // the student "normalises" x in place before calling Backward
        }

        var dx = layer.Backward(dy);
        Assert.Equal(expectedDx.Data, dx.Data);
        for (int p = 0; p < layer.Parameters.Count; p++)
        {
            Assert.Equal(reference.Parameters[p].Grad, layer.Parameters[p].Grad);
        }
    }

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void Outputs_a_caller_keeps_stay_valid_and_the_buffered_path_gives_the_same_numbers(string kind)
    {
        var random = new SeededRandom(7);
        var x1 = Matrix<double>.RandomNormal(6, 3, random);
        var x2 = Matrix<double>.RandomNormal(6, 3, random);
        var dy = Matrix<double>.RandomNormal(6, 3, random);
        var fresh = Make(kind);
        var y1 = fresh.Forward(x1);
        double[] y1Before = (double[])y1.Data.Clone();
        var dx1 = fresh.Backward(dy);
        double[] dx1Before = (double[])dx1.Data.Clone();
        fresh.Forward(x2);
        fresh.Backward(dy);
        Assert.Equal(y1Before, y1.Data);
        Assert.Equal(dx1Before, dx1.Data);

        var buffered = Make(kind);
        Assert.Equal(y1Before, buffered.ForwardBuffered(x1).Data);
        Assert.Equal(dx1Before, buffered.BackwardBuffered(dy).Data);
    }

    [Fact]
    public void The_buffered_path_keeps_x_itself_and_the_public_path_a_copy_once_x_is_handed_out()
    {
        // Issue 11 §3: the copy of x was a third of the layer's cost at (256, 256); the training path does without it.
        // Issue 22: the public path keeps x too, guarded by its version stamp, and copies it when its array is handed out.
        var x = Matrix<double>.RandomNormal(5, 3, new SeededRandom(4));
        var bn = new BatchNorm1d<double>(3);
        bn.ForwardBuffered(x);
        Assert.Same(x, bn.Saved!.X);
        bn.Forward(x);
        Assert.Same(x, bn.Saved!.X);
        double[] handedOut = x.Data;
        Assert.NotSame(x, bn.Saved!.X);
        Assert.Equal(handedOut, bn.Saved.X.Data);
    }

    [Fact]
    public void Skipping_the_input_gradient_leaves_the_parameter_gradients_unchanged()
    {
        var random = new SeededRandom(9);
        var x = Matrix<double>.RandomNormal(8, 5, random);
        var dy = Matrix<double>.RandomNormal(8, 4, random);
        var a = new Linear<double>(5, 4, new SeededRandom(1));
        var b = new Linear<double>(5, 4, new SeededRandom(1));
        a.Forward(x);
        a.Backward(dy);
        b.ForwardBuffered(x);
        b.BackwardBuffered(dy, needInputGradient: false);
        Assert.Equal(a.Weight.Grad, b.Weight.Grad);
        Assert.Equal(a.Bias!.Grad, b.Bias!.Grad);
    }

    [Fact]
    public void BackwardParameters_gives_Backwards_parameter_gradients_and_allocates_no_batch_sized_matrix()
    {
        Sequential<float> Net() => new(
            new Linear<float>(784, 32, new SeededRandom(5), bias: false), new BatchNorm1d<float>(32), new Sigmoid<float>(),
            new Linear<float>(32, 10, new SeededRandom(6)));
        var random = new SeededRandom(7);
        var x = Matrix<float>.RandomNormal(60, 784, random);
        var dy = Matrix<float>.RandomNormal(60, 10, random);
        Sequential<float> a = Net(), b = Net();
        a.Forward(x);
        a.Backward(dy);
        b.Forward(x);
        b.BackwardParameters(dy);
        for (int p = 0; p < a.Parameters.Count; p++)
        {
            Assert.Equal(a.Parameters[p].Grad, b.Parameters[p].Grad);
        }

        for (int i = 0; i < 20; i++)
        {
            b.Forward(x);
            b.BackwardParameters(dy);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            b.Forward(x);
            b.BackwardParameters(dy);
        }

        // ∂loss/∂x would be 60 × 784 floats = 188,160 bytes per step; Forward's new output is 60 × 10.
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        Assert.InRange(perStep, 0, 4 * 60 * 10 + 200);
        Assert.Throws<InvalidOperationException>(() => new Sequential<float>(new Sigmoid<float>()).BackwardParameters(dy));
    }

    [Fact]
    public void A_buffered_training_step_allocates_nothing_in_steady_state()
    {
        var rng = new SeededRandom(2);
        var net = new Sequential<float>(
            new Linear<float>(20, 16, rng, bias: false), new BatchNorm1d<float>(16), new Sigmoid<float>(),
            new Linear<float>(16, 16, rng), new Tanh<float>(), new Linear<float>(16, 10, rng), new ReLU<float>());
        var sgd = new Sgd<float>(net.Parameters, 0.01, momentum: 0.9);
        var x = Matrix<float>.RandomNormal(12, 20, rng);
        var dy = Matrix<float>.RandomNormal(12, 10, rng);
        void Step()
        {
            net.ForwardBuffered(x);
            net.BackwardBuffered(dy, needInputGradient: false);
            sgd.Step();
        }

        for (int i = 0; i < 50; i++)
        {
            Step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>The four layer kinds of <see cref="LayerKinds"/> on 3 features (also used by <see cref="KeptInputTests"/>).</summary>
    internal static ILayer<double> Make(string kind) => kind switch
    {
        "BatchNorm1d" => new BatchNorm1d<double>(3),
        "Linear" => new Linear<double>(3, 3, new SeededRandom(4)),
        "Sigmoid" => new Sigmoid<double>(),
        "Sequential" => new Sequential<double>(new Linear<double>(3, 3, new SeededRandom(4)), new BatchNorm1d<double>(3), new Sigmoid<double>()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
