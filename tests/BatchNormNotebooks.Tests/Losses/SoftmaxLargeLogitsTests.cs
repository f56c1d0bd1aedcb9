namespace BatchNormNotebooks.Tests.Losses;

/// <summary>Logits far above e^z's range (a float overflows past z ≈ 88.7, a double past 709.8) give the finite loss and
/// gradient of the max-shifted formula, not ∞/∞ = NaN. Expected values by hand: log(1 + e^−1) = 0.313261687518…,
/// 1/(1 + e^−1) = 0.731058578630…</summary>
public class SoftmaxLargeLogitsTests
{
    [Fact]
    public void Float_logits_of_100_and_1000_give_finite_probabilities_and_gradients()
    {
        var logits = Matrix<float>.FromRows([[100f, 0f, -5f], [1000f, 999f, 0f]]);
        var target = new Matrix<float>(2, 1, [1f, 0f]);
        var loss = new SoftmaxCrossEntropy<float>();

        float l = loss.Forward(logits, target);
        var d = loss.Backward();

        // Row 0: log Σ e^z − z_1 = 100 + log(1 + e^−100 + e^−105) − 0 = 100; row 1: log(1 + e^−1 + e^−1000) = 0.3132617.
        Assert.Equal((100.0 + 0.313261687518) / 2, l, 4);
        float[] expected = [0.5f, -0.5f, 0f, (0.731058578630f - 1f) / 2, (1f - 0.731058578630f) / 2, 0f];
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(float.IsFinite(d.Storage[k]), $"gradient element {k} is {d.Storage[k]}");
            Assert.Equal(expected[k], d.Storage[k], 6);
        }
    }

    [Fact]
    public void Double_logits_of_1000_give_finite_gradients()
    {
        var logits = Matrix<double>.FromRows([[1000.0, 999.0, 0.0]]);
        var loss = new SoftmaxCrossEntropy<double>();

        double l = loss.Forward(logits, new Matrix<double>(1, 1, [1.0]));
        var d = loss.Backward();

        Assert.Equal(1.313261687518223, l, 12);        // log(1 + e^−1) + 1
        Assert.Equal(0.731058578630005, d[0, 0], 12);
        Assert.Equal(0.268941421369995 - 1, d[0, 1], 12);
        Assert.Equal(0.0, d[0, 2], 12);
    }

    [Fact]
    public void The_buffered_backward_is_finite_too()
    {
        var logits = Matrix<float>.FromRows([[200f, 0f]]);
        var loss = new SoftmaxCrossEntropy<float>();
        loss.Forward(logits, new Matrix<float>(1, 1, [0f]));

        var d = loss.BackwardBuffered();

        Assert.Equal(0f, d[0, 0], 6);
        Assert.Equal(0f, d[0, 1], 6);
    }
}
