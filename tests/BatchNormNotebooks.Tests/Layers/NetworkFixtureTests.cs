using BatchNormNotebooks.Tests.BatchNorm;
using Xunit.Abstractions;

namespace BatchNormNotebooks.Tests.Layers;

/// <summary>
/// Linear → Sigmoid/Tanh/ReLU → Linear [→ Sigmoid] → softmax cross-entropy / binary cross-entropy / MSE against
/// PyTorch 1.13 in float64 (tests/fixtures/batchnorm.json, "network"): output, loss and every gradient.
/// </summary>
public class NetworkFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-12;

    public static TheoryData<string> CaseNames => [.. BatchNormFixtures.Networks.Keys];

    [Fact]
    public void Fixture_covers_every_activation_with_every_loss()
    {
        var cases = BatchNormFixtures.Networks.Values.ToList();
        foreach (string activation in new[] { "Sigmoid", "Tanh", "ReLU" })
        {
            foreach (string loss in new[] { "SoftmaxCrossEntropy", "BinaryCrossEntropy", "MeanSquaredError" })
            {
                Assert.Contains(cases, c => c.Activation == activation && c.Loss == loss);
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_pytorch_in_float64(string name)
    {
        var c = BatchNormFixtures.Networks[name];
        var first = new Linear<double>(c.In, c.Hidden, new SeededRandom(1), name: "l1");
        var second = new Linear<double>(c.Hidden, c.Out, new SeededRandom(2), name: "l2");
        c.W1.CopyTo(first.Weight.Value, 0);
        c.B1.CopyTo(first.Bias!.Value, 0);
        c.W2.CopyTo(second.Weight.Value, 0);
        c.B2.CopyTo(second.Bias!.Value, 0);
        ILayer<double> activation = c.Activation switch
        {
            "Sigmoid" => new Sigmoid<double>(),
            "Tanh" => new Tanh<double>(),
            "ReLU" => new ReLU<double>(),
            _ => throw new InvalidOperationException(c.Activation),
        };
        ILoss<double> loss = c.Loss switch
        {
            "SoftmaxCrossEntropy" => new SoftmaxCrossEntropy<double>(),
            "BinaryCrossEntropy" => new BinaryCrossEntropy<double>(),
            "MeanSquaredError" => new MeanSquaredError<double>(),
            _ => throw new InvalidOperationException(c.Loss),
        };
        var net = c.Loss == "BinaryCrossEntropy"
            ? new Sequential<double>(first, activation, second, new Sigmoid<double>())
            : new Sequential<double>(first, activation, second);

        var x = new Matrix<double>(c.Batch, c.In, (double[])c.X.Clone());
        var y = net.Forward(x);
        double value = loss.Forward(y, new Matrix<double>(c.Batch, c.Loss == "MeanSquaredError" ? c.Out : 1, (double[])c.Target.Clone()));
        var dx = net.Backward(loss.Backward());

        double worst = 0;
        Compare("output", y.Data, c.Output);
        Compare("loss", [value], [c.LossValue]);
        Compare("dx", dx.Data, c.Dx);
        Compare("dW1", first.Weight.Grad, c.DW1);
        Compare("db1", first.Bias.Grad, c.DB1);
        Compare("dW2", second.Weight.Grad, c.DW2);
        Compare("db2", second.Bias.Grad, c.DB2);
        output.WriteLine($"{name}: max error {worst:E2}");

        void Compare(string what, double[] actual, double[] expected)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int k = 0; k < expected.Length; k++)
            {
                double e = Math.Abs(actual[k] - expected[k]) / Math.Max(1, Math.Abs(expected[k]));
                Assert.True(e < Tolerance, $"{name}: {what}[{k}] is {actual[k]:R}, PyTorch {expected[k]:R} (error {e:E2}).");
                worst = Math.Max(worst, e);
            }
        }
    }
}
