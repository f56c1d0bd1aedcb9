using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Tensors;

/// <summary>Issue 22: the sigmoid and tanh forwards, the softmax cross-entropy forward and the plain SGD update run in
/// parts on several cores (<see cref="CoreSplit"/>). Each must give exactly the bits of the same pass on one thread,
/// checked with every split forced (<see cref="CoreSplit.Always"/>) against the caller-only run, at awkward sizes.</summary>
public class CoreSplitTests
{
    public static TheoryData<int, int> Shapes => new() { { 60, 100 }, { 7, 9 }, { 33, 129 }, { 3, 1 }, { 64, 64 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sigmoid_and_tanh_forwards_give_the_same_bits_split_and_on_one_thread(int rows, int cols)
    {
        var random = new SeededRandom((ulong)(rows * 1000 + cols));
        var z = Matrix<float>.RandomNormal(rows, cols, random);
        z[0, 0] = 120f;                      // saturating and extreme inputs take the same path in every part
        z[rows - 1, cols - 1] = -95f;
        var zd = Matrix<double>.RandomNormal(rows, cols, random);
        zd[0, 0] = 800;
        foreach (Func<ILayer<float>> make in new Func<ILayer<float>>[] { () => new Sigmoid<float>(), () => new Tanh<float>() })
        {
            Assert.Equal(Split(() => make().Forward(z), out int runs), OneThread(() => make().Forward(z)));
            AssertSplit(runs, rows * cols);
        }

        Assert.Equal(Split(() => new Sigmoid<double>().Forward(zd), out int runsD), OneThread(() => new Sigmoid<double>().Forward(zd)));
        AssertSplit(runsD, rows * cols);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Softmax_cross_entropy_gives_the_same_loss_and_gradient_bits_split_and_on_one_thread(int rows, int cols)
    {
        var random = new SeededRandom((ulong)(rows + (cols * 7)));
        var logits = Matrix<float>.RandomNormal(rows, cols, random);
        logits[rows / 2, 0] = 95f;           // a row above the unshifted softmax's safe exponent: the shifted path
        var target = new Matrix<float>(rows, 1);
        for (int i = 0; i < rows; i++)
        {
            target[i, 0] = (i * 3) % cols;
        }

        float[] LossAndGradient()
        {
            var loss = new SoftmaxCrossEntropy<float>();
            float value = loss.Forward(logits, target);
            return [value, .. Values(loss.Backward())];
        }

        Assert.Equal(Split(LossAndGradient, out int runs), OneThread(LossAndGradient));
        AssertSplit(runs, rows);
    }

    [Fact]
    public void Softmax_cross_entropy_checks_every_label_before_computing_any_row_split_or_not()
    {
        var logits = Matrix<float>.RandomNormal(40, 10, new SeededRandom(3));
        var target = new Matrix<float>(40, 1);
        target[37, 0] = 10;
        using var always = CoreSplit.Always();
        var ex = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy<float>().Forward(logits, target));
        Assert.Contains("target row 37 is 10", ex.Message);
    }

    [Theory]
    [InlineData(784 * 100)]
    [InlineData(40_001)]
    [InlineData(5)]
    public void Plain_sgd_updates_give_the_same_bits_split_and_on_one_thread(int length)
    {
        float[] Updated()
        {
            var random = new SeededRandom((ulong)length);
            var w = new Parameter<float>("w", [.. Enumerable.Range(0, length).Select(_ => (float)random.NextNormal())]);
            for (int i = 0; i < length; i++)
            {
                w.Grad[i] = (float)random.NextNormal();
            }

            var sgd = new Sgd<float>([w], 0.1);
            sgd.Step();
            sgd.Step();
            return [.. w.Value];
        }

        Assert.Equal(Split(Updated, out int runs), OneThread(Updated));
        AssertSplit(runs, length);
    }

    [Fact]
    public void Plain_sgd_over_large_and_small_parameters_gives_the_same_bits_split_and_on_one_thread()
    {
        // The largest is split with the small ones stepped beside it; the other large one is split on its own.
        int[] lengths = [100, 784 * 100, 7, 40_001, 1, 10_000];
        float[] Updated()
        {
            var random = new SeededRandom(11);
            var parameters = lengths.Select((length, index) => new Parameter<float>($"p{index}", [.. Enumerable.Range(0, length).Select(_ => (float)random.NextNormal())])).ToArray();
            foreach (var parameter in parameters)
            {
                for (int i = 0; i < parameter.Grad.Length; i++)
                {
                    parameter.Grad[i] = (float)random.NextNormal();
                }
            }

            var sgd = new Sgd<float>(parameters, 0.1);
            sgd.Step();
            sgd.Step();
            return [.. parameters.SelectMany(parameter => parameter.Value)];
        }

        float[] expected = OneThread(Updated);
        Assert.Equal(expected, Split(Updated, out int runs));
        AssertSplit(runs, 784 * 100);

        // Every element stepped exactly twice, θ ← θ + g·(−0.1) in float (a product, then a sum), none skipped or repeated.
        var random = new SeededRandom(11);
        float[] theta = [.. Enumerable.Range(0, lengths.Sum()).Select(_ => (float)random.NextNormal())];
        float[] grad = [.. Enumerable.Range(0, lengths.Sum()).Select(_ => (float)random.NextNormal())];
        float minusLr = -(float)0.1;
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] += grad[i] * minusLr;
            theta[i] += grad[i] * minusLr;
        }

        Assert.Equal(theta, expected);
    }

    private static T Split<T>(Func<T> pass, out int threadedRuns)
    {
        using var always = CoreSplit.Always();
        int before = ProductThreads.ThreadedRuns;
        var result = pass();
        threadedRuns = ProductThreads.ThreadedRuns - before;
        return result;
    }

    private static float[] Split(Func<Matrix<float>> pass, out int threadedRuns) => Values(Split<Matrix<float>>(pass, out threadedRuns));

    private static double[] Split(Func<Matrix<double>> pass, out int threadedRuns) => Values(Split<Matrix<double>>(pass, out threadedRuns));

    private static T OneThread<T>(Func<T> pass)
    {
        using var callerOnly = ProductThreads.CallerOnly();
        return pass();
    }

    private static float[] OneThread(Func<Matrix<float>> pass) => Values(OneThread<Matrix<float>>(pass));

    private static double[] OneThread(Func<Matrix<double>> pass) => Values(OneThread<Matrix<double>>(pass));

    /// <summary>On a machine with two or more cores the forced split must really have run in parts.</summary>
    private static void AssertSplit(int threadedRuns, int units)
    {
        if (ProductThreads.Available >= 2 && units >= ProductThreads.Available)
        {
            Assert.True(threadedRuns >= 1, "the pass was expected to run split between cores");
        }
    }

    private static T[] Values<T>(Matrix<T> m) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var v = new T[m.Rows * m.Cols];
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = 0; j < m.Cols; j++)
            {
                v[(i * m.Cols) + j] = m[i, j];
            }
        }

        return v;
    }
}
