using BatchNormNotebooks.Tests.BatchNorm;

namespace BatchNormNotebooks.Tests.Layers;

/// <summary>Issue 22: the public Forward keeps x by reference with a version stamp instead of copying it. Values a
/// student holds never change behind their back, assigning an element of x before Backward throws a clear exception,
/// and writes through a handed-out array (which the stamp cannot see) never reach the gradient.</summary>
public class KeptInputTests
{
    public static TheoryData<string> LayerKinds => LayerStateTests.LayerKinds;

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void Outputs_of_two_calls_stay_intact_and_equal_an_independent_reference(string kind)
    {
        var random = new SeededRandom(21);
        var x1 = Matrix<double>.RandomNormal(6, 3, random);
        var x2 = Matrix<double>.RandomNormal(6, 3, random);
        var dy = Matrix<double>.RandomNormal(6, 3, random);
        var layer = Make(kind);
        double[] x1Values = Values(x1), x2Values = Values(x2);

        // Neither output is handed out (only the indexer reads them), so nothing forces a copy anywhere.
        var y1 = layer.Forward(x1);
        var dx1 = layer.Backward(dy);
        double[] dx1Values = Values(dx1);
        var y2 = layer.Forward(x2);
        var dx2 = layer.Backward(dy);
        var next = new Sigmoid<double>();
        next.Forward(y1);          // y1 kept by reference by another layer …
        next.Backward(dy);         // … and differentiated through

        double[] expectedY1 = ExpectedForward(kind, layer, x1Values), expectedY2 = ExpectedForward(kind, layer, x2Values);
        AssertClose(expectedY1, Values(y1), $"{kind}: first output");
        AssertClose(expectedY2, Values(y2), $"{kind}: second output");
        Assert.NotEqual(Values(y1), Values(y2));
        Assert.Equal(dx1Values, Values(dx1));
        if (kind != "Linear")
        {
            Assert.NotEqual(Values(dx1), Values(dx2));   // Linear's dx = dy·Wᵀ does not depend on x
        }

        Assert.Equal(x1Values, Values(x1));
        Assert.Equal(x2Values, Values(x2));
        if (kind == "BatchNorm1d")
        {
            var (dxRef, _, _) = ReferenceBatchNorm.Backward(Values(dy), x2Values, 6, [1, 1, 1], 1e-5);
            AssertClose(dxRef, Values(dx2), "BatchNorm1d: second dx");
            var (dxRef1, _, _) = ReferenceBatchNorm.Backward(Values(dy), x1Values, 6, [1, 1, 1], 1e-5);
            AssertClose(dxRef1, Values(dx1), "BatchNorm1d: first dx, after the second call");
        }
    }

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void Backward_after_assigning_an_element_of_x_throws_a_clear_exception(string kind)
    {
        var random = new SeededRandom(22);
        var x = Matrix<double>.RandomNormal(5, 3, random);
        var dy = Matrix<double>.RandomNormal(5, 3, random);
        var layer = Make(kind);
        layer.Forward(x);
        x[2, 1] = 7.0;
        var ex = Assert.Throws<InvalidOperationException>(() => layer.Backward(dy));
        Assert.Contains("modified in place after Forward", ex.Message);
        Assert.Contains("Call Forward again", ex.Message);

        layer.Forward(x);   // a new forward on the changed values is fine
        layer.Backward(dy);
    }

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void Writes_through_a_handed_out_array_after_Forward_do_not_reach_the_gradients(string kind)
    {
        var random = new SeededRandom(23);
        var x = Matrix<double>.RandomNormal(6, 3, random);
        var dy = Matrix<double>.RandomNormal(6, 3, random);
        var reference = Make(kind);
        reference.Forward(Matrix<double>.FromRows([.. Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, 3).Select(j => x[i, j]).ToArray())]));
        double[] expectedDx = Values(reference.Backward(dy));

        var layer = Make(kind);
        layer.Forward(x);
        double[] storage = x.Data;          // the stamp cannot see writes through this array: the layer copies x now
        storage[4] = 100;
        x.Row(1)[0] = -100;
        Assert.Equal(expectedDx, Values(layer.Backward(dy)));
        for (int p = 0; p < layer.Parameters.Count; p++)
        {
            Assert.Equal(reference.Parameters[p].Grad, layer.Parameters[p].Grad);
        }
    }

    [Fact]
    public void A_matrix_wrapping_the_callers_array_is_copied_not_kept()
    {
        double[] array = [1, 2, 3, 4, 6, 8];
        var x = new Matrix<double>(3, 2, array);
        var bn = new BatchNorm1d<double>(2);
        bn.Forward(x);
        Assert.NotSame(x, bn.Saved!.X);
        array[0] = 50;   // the caller still holds the array
        var (dxRef, _, _) = ReferenceBatchNorm.Backward([1, 0, 0, 1, 1, 1], [1, 2, 3, 4, 6, 8], 3, [1, 1], 1e-5);
        AssertClose(dxRef, Values(bn.Backward(Matrix<double>.FromRows([[1, 0], [0, 1], [1, 1]]))), "dx of the values at Forward");
    }

    [Fact]
    public void An_unshared_x_is_kept_by_reference_not_copied()
    {
        var x = Matrix<double>.RandomNormal(5, 3, new SeededRandom(24));
        var bn = new BatchNorm1d<double>(3);
        bn.Forward(x);
        Assert.Same(x, bn.Saved!.X);
    }

    [Fact]
    public void Sequential_hands_x_to_its_first_layer_uncopied_and_BackwardParameters_checks_it()
    {
        var random = new SeededRandom(25);
        var x = Matrix<double>.RandomNormal(5, 3, random);
        var dy = Matrix<double>.RandomNormal(5, 3, random);
        var bn = new BatchNorm1d<double>(3);
        var net = new Sequential<double>(bn, new Sigmoid<double>());
        net.Forward(x);
        Assert.Same(x, bn.Saved!.X);   // issue 22: no 188 KB copy of an MNIST batch per step
        x[0, 0] = 3.0;
        var ex = Assert.Throws<InvalidOperationException>(() => net.BackwardParameters(dy));
        Assert.Contains("modified in place after Forward", ex.Message);
    }

    [Fact]
    public void Sequential_with_a_first_layer_from_outside_the_library_still_copies_x()
    {
        var random = new SeededRandom(26);
        var x = Matrix<double>.RandomNormal(5, 3, random);
        var dy = Matrix<double>.RandomNormal(5, 3, random);
        double[] before = Values(x);
        var reference = new Sequential<double>(new Halver(), new BatchNorm1d<double>(3));
        reference.Forward(Matrix<double>.FromRows([.. Enumerable.Range(0, 5).Select(i => before.AsSpan(i * 3, 3).ToArray())]));
        double[] expected = Values(reference.Backward(dy));

        var net = new Sequential<double>(new Halver(), new BatchNorm1d<double>(3));
        net.Forward(x);
        x[1, 2] = 50.0;   // the network kept a copy of its own, so this cannot reach the gradient
        Assert.Equal(expected, Values(net.Backward(dy)));
    }

    /// <summary>y = x/2, an ILayer written outside the library (it keeps x by reference, unguarded).</summary>
    private sealed class Halver : ILayer<double>
    {
        private Matrix<double>? _x;

        public string Name => "Halver";

        public bool Training { get; set; }

        public IReadOnlyList<Parameter<double>> Parameters => [];

        public Matrix<double> Forward(Matrix<double> x)
        {
            _x = x;
            var y = new Matrix<double>(x.Rows, x.Cols);
            for (int i = 0; i < x.Rows; i++)
            {
                for (int j = 0; j < x.Cols; j++)
                {
                    y[i, j] = x[i, j] / 2;
                }
            }

            return y;
        }

        public Matrix<double> Backward(Matrix<double> dy)
        {
            // Depends on the kept x, so a change to the caller's x after Forward would show in the gradient.
            var dx = new Matrix<double>(dy.Rows, dy.Cols);
            for (int i = 0; i < dy.Rows; i++)
            {
                for (int j = 0; j < dy.Cols; j++)
                {
                    dx[i, j] = (dy[i, j] / 2) + (_x![i, j] * 1e-3);
                }
            }

            return dx;
        }
    }

    private static double[] Values(Matrix<double> m)
    {
        var v = new double[m.Rows * m.Cols];
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = 0; j < m.Cols; j++)
            {
                v[(i * m.Cols) + j] = m[i, j];   // the indexer: reading does not hand the storage out
            }
        }

        return v;
    }

    /// <summary>The forward written out in the test, from the layer's parameters (no library kernel).</summary>
    private static double[] ExpectedForward(string kind, ILayer<double> layer, double[] x)
    {
        double[] Linear(Linear<double> l, double[] input)
        {
            var y = new double[6 * l.OutFeatures];
            for (int i = 0; i < 6; i++)
            {
                for (int o = 0; o < l.OutFeatures; o++)
                {
                    double s = l.Bias?.Value[o] ?? 0;
                    for (int k = 0; k < l.InFeatures; k++)
                    {
                        s += input[(i * l.InFeatures) + k] * l.Weight.Value[(k * l.OutFeatures) + o];
                    }

                    y[(i * l.OutFeatures) + o] = s;
                }
            }

            return y;
        }

        double[] Sigmoid(double[] z) => [.. z.Select(v => 1 / (1 + Math.Exp(-v)))];
        double[] Bn(double[] z) => ReferenceBatchNorm.Forward(z, 6, [1, 1, 1], [0, 0, 0], 1e-5).Y;
        return kind switch
        {
            "BatchNorm1d" => Bn(x),
            "Linear" => Linear((Linear<double>)layer, x),
            "Sigmoid" => Sigmoid(x),
            // Weights are read after the calls; nothing updates them here.
            _ => Sigmoid(Bn(Linear((Linear<double>)((Sequential<double>)layer).Layers[0], x))),
        };
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-9 * (1 + Math.Abs(expected[k])), $"{what}[{k}]: expected {expected[k]}, got {actual[k]}");
        }
    }

    private static ILayer<double> Make(string kind) => LayerStateTests.Make(kind);
}
