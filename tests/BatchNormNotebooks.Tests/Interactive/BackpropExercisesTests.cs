using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 01's exercise checks: the reference answer passes, the planted mistake fails, an unanswered one is "not
/// answered". Expected values are worked out by hand (in the comments) or by an implementation written here.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class BackpropExercisesTests
{
    /// <summary>The notebook's neuron: w1 = 0.1, w2 = −0.05, b = 0.2.</summary>
    private static Linear<double> Neuron()
    {
        var neuron = new Linear<double>(2, 1, new SeededRandom(0));
        neuron.Weight.Value[0] = 0.1;
        neuron.Weight.Value[1] = -0.05;
        neuron.Bias!.Value[0] = 0.2;
        return neuron;
    }

    [Theory]
    [InlineData(0.599, "right")]      // σ(0.1·6 − 0.05·8 + 0.2) = σ(0.4) = 1/(1 + e^−0.4) = 0.59869
    [InlineData(0.4, "wrong")]        // z₁₁ without the sigmoid
    [InlineData(0.55, "wrong")]       // σ(0.2): without b
    [InlineData(double.NaN, "not answered")]
    public void ForwardPass(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BackpropExercises.ForwardPass(answer, Neuron())));

    [Theory]
    // The row (6, 8): z = 0.1·6 − 0.05·8 + 0.2 = 0.4, a = σ(0.4) = 0.598688, a(1 − a) = 0.240261; squared error ½(a − 1)²:
    // ∂L/∂w2 = (a − 1)·a(1 − a)·8 = −0.401312·0.240261·8 = −0.77136.
    [InlineData(-0.771, "right")]
    [InlineData(-3.21, "wrong")]      // (a − 1)·8: the cross-entropy's gradient
    [InlineData(-1.54, "wrong")]      // without the ½
    [InlineData(0.771, "wrong")]      // the sign
    [InlineData(-0.973, "wrong")]     // the row (10, 12) the notebook prints: σ(0.6) = 0.645656, (a − 1)·a(1 − a)·12 = −0.97283
    [InlineData(double.NaN, "not answered")]
    public void OtherLoss(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BackpropExercises.OtherLoss(answer, Neuron())));

    [Fact]
    public void OtherLoss_leaves_the_neurons_gradients_alone()
    {
        var neuron = Neuron();
        ConsoleCapture.Of(() => BackpropExercises.OtherLoss(-0.771, neuron));
        Assert.All(neuron.Weight.Grad, g => Assert.Equal(0, g));
    }

    [Theory]
    // Row (6, 8): z = 0.4, a = σ(0.4) = 0.598688, L = −ln a = 0.513015, |L‴| = 216·a(1 − a)|1 − 2a| = 10.2431;
    // h* = (3·2⁻²⁴·0.513015/10.2431)^(1/3) = 2.0767e-3; E(h*) ∝ ε^(2/3), float32/float64 = 2^(58/3) = 660,561.
    [InlineData(0.0021, 661000, "right")]
    [InlineData(0.002077, 660561, "right")]
    [InlineData(2.6e-6, 661000, "wrong")]         // float64's unit round-off in (a)
    [InlineData(0.0011, 661000, "wrong")]         // the row (10, 12)'s h*, 1.05e-3
    [InlineData(0.0021, 813, "wrong")]            // (b) the ratio of the steps, 2^(29/3)
    [InlineData(0.0021, 536870912, "wrong")]      // (b) the ratio of the round-offs, 2^29
    [InlineData(0.0021, double.NaN, "not answered")]
    public void PredictedStep(double step, double factor, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BackpropExercises.PredictedStep(step, factor, Neuron())));

    [Theory]
    [InlineData(193, 0.130, "right")]       // (2·16 + 16) + (16·8 + 8) + (8·1 + 1) = 193, of which 16 + 8 + 1 = 25 biases: 0.1295
    [InlineData(168, 0.130, "wrong")]       // weights only
    [InlineData(193, 0.149, "wrong")]       // biases over weights, 25/168
    [InlineData(193, double.NaN, "not answered")]
    [InlineData(double.NaN, 0.130, "not answered")]
    public void ParameterCount(double count, double fraction, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => BackpropExercises.ParameterCount(count, fraction)));

    /// <summary>∂L/∂X of 2 → 3 → 1 (tanh hidden, sigmoid output, mean BCE), written out here independently of the library.</summary>
    private static Matrix<double> InputGradient(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2, bool withDerivative, bool withMean, bool sigmoidSlope = false)
    {
        int m = x.Rows;
        var dx = new Matrix<double>(m, 2);
        for (int i = 0; i < m; i++)
        {
            var a1 = new double[3];
            double z2 = b2[0];
            for (int j = 0; j < 3; j++)
            {
                a1[j] = Math.Tanh(b1[j] + (x[i, 0] * w1[0, j]) + (x[i, 1] * w1[1, j]));
                z2 += a1[j] * w2[j, 0];
            }

            double d2 = ((1 / (1 + Math.Exp(-z2))) - y[i, 0]) / (withMean ? m : 1);
            for (int j = 0; j < 3; j++)
            {
                double d1 = d2 * w2[j, 0] * (!withDerivative ? 1 : sigmoidSlope ? a1[j] * (1 - a1[j]) : 1 - (a1[j] * a1[j]));
                for (int k = 0; k < 2; k++)
                {
                    dx[i, k] += d1 * w1[k, j];
                }
            }
        }

        return dx;
    }

    private static Matrix<double> Right(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2) => InputGradient(x, y, w1, b1, w2, b2, true, true);

    private static Matrix<double> NoDerivative(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2) => InputGradient(x, y, w1, b1, w2, b2, false, true);

    private static Matrix<double> NoMean(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2) => InputGradient(x, y, w1, b1, w2, b2, true, false);

    private static Matrix<double> SigmoidSlope(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2) => InputGradient(x, y, w1, b1, w2, b2, true, true, sigmoidSlope: true);

    private static Matrix<double> WeightShaped(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2) => new(2, 3);

    private static Matrix<double> Unanswered(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2) => throw new NotImplementedException();

    private static Matrix<double> ByTheLibrary(Matrix<double> x, Matrix<double> y, Matrix<double> w1, double[] b1, Matrix<double> w2, double[] b2)
    {
        var l1 = new Linear<double>(2, 3, new SeededRandom(1));
        var l2 = new Linear<double>(3, 1, new SeededRandom(2));
        w1.Data.CopyTo(l1.Weight.Value, 0);
        b1.CopyTo(l1.Bias!.Value, 0);
        w2.Data.CopyTo(l2.Weight.Value, 0);
        b2.CopyTo(l2.Bias!.Value, 0);
        var net = new Sequential<double>(l1, new Tanh<double>(), l2, new Sigmoid<double>());
        var loss = new BinaryCrossEntropy<double>();
        loss.Forward(net.Forward(x), y);
        return net.Backward(loss.Backward());
    }

    [Fact]
    public void InputGradient_accepts_a_hand_written_backward() =>
        Assert.Equal("right", ExerciseVerdicts.Of(() => BackpropExercises.InputGradient(Right)));

    [Theory]
    [InlineData("derivative", "g′(z¹)")]
    [InlineData("mean", "1/m")]
    [InlineData("sigmoid", "1 − a²")]
    [InlineData("shape", "shape of X")]
    [InlineData("library", "uses the library")]
    public void InputGradient_rejects_the_usual_slips_with_a_pointed_hint(string slip, string inHint)
    {
        Func<Matrix<double>, Matrix<double>, Matrix<double>, double[], Matrix<double>, double[], Matrix<double>> answer = slip switch
        {
            "derivative" => NoDerivative,
            "mean" => NoMean,
            "sigmoid" => SigmoidSlope,
            "shape" => WeightShaped,
            _ => ByTheLibrary,
        };
        string line = ConsoleCapture.Of(() => BackpropExercises.InputGradient(answer));
        Assert.Equal("wrong", ExerciseVerdicts.Read(line));
        Assert.Contains(inHint, line, StringComparison.Ordinal);
    }

    [Fact]
    public void InputGradient_not_answered_while_the_body_throws_NotImplementedException() =>
        Assert.Equal("not answered", ExerciseVerdicts.Of(() => BackpropExercises.InputGradient(Unanswered)));
}
