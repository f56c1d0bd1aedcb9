using System.Numerics;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>Folding an eval-mode batch norm into the preceding Linear (paper Algorithm 2, step 11) gives the same outputs.</summary>
public class BatchNormFoldingTests
{
    public static TheoryData<string, bool, string> Cases => new()
    {
        { "PyTorch", true, "double" }, { "PyTorch", false, "double" }, { "Keras", true, "double" }, { "CumulativeAverage", false, "double" },
        { "PyTorch", true, "float" }, { "Keras", false, "float" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Folded_linear_gives_the_eval_outputs_of_linear_then_batch_norm(string preset, bool bias, string type)
    {
        if (type == "double")
        {
            Check<double>(preset, bias, 1e-12);
        }
        else
        {
            Check<float>(preset, bias, 1e-5);
        }
    }

    [Fact]
    public void Without_running_statistics_folding_is_refused()
    {
        var linear = new Linear<double>(3, 2, new SeededRandom(1));
        var bn = new BatchNorm1d<double>(2, BatchNormConvention.NoRunningStats);
        Assert.Throws<InvalidOperationException>(() => linear.FoldBatchNorm(bn));
        Assert.Throws<ArgumentException>(() => linear.FoldBatchNorm(new BatchNorm1d<double>(3)));
    }

    private static void Check<T>(string preset, bool bias, double tolerance) where T : IFloatingPointIeee754<T>
    {
        var convention = preset switch
        {
            "Keras" => BatchNormConvention.Keras,
            "CumulativeAverage" => BatchNormConvention.CumulativeAverage,
            _ => BatchNormConvention.PyTorch,
        };
        var random = new SeededRandom(42);
        var linear = new Linear<T>(3, 4, random, bias);
        var bn = new BatchNorm1d<T>(4, convention);
        for (int j = 0; j < 4; j++)
        {
            bn.Gamma.Value[j] = T.CreateChecked(0.5 + j);
            bn.Beta.Value[j] = T.CreateChecked(j - 1.5);
        }

        var net = new Sequential<T>(linear, bn);
        for (int step = 0; step < 50; step++)
        {
            net.Forward(Shifted(Matrix<T>.RandomNormal(8, 3, random, scale: 2)));
            Assert.True(bn.Running.BatchesSeen == step + 1);
        }

        // The running statistics have moved away from (0, 1), so folding is not trivially the identity.
        Assert.Contains(bn.Running.Mean, m => T.Abs(m) > T.CreateChecked(0.1));
        net.Training = false;
        var x = Shifted(Matrix<T>.RandomNormal(10, 3, random, scale: 2));
        var expected = net.Forward(x);
        var folded = linear.FoldBatchNorm(bn);
        folded.Training = false;
        var actual = folded.Forward(x);
        for (int k = 0; k < expected.Data.Length; k++)
        {
            double a = double.CreateChecked(actual.Data[k]), e = double.CreateChecked(expected.Data[k]);
            Assert.True(Math.Abs(a - e) <= tolerance * Math.Max(1, Math.Abs(e)), $"{preset}, bias {bias}: element {k} folded {a:R}, unfolded {e:R}");
        }
    }

    /// <summary>x + 3, so that the Linear outputs and hence the running means are away from 0 even without a bias.</summary>
    private static Matrix<T> Shifted<T>(Matrix<T> x) where T : IFloatingPointIeee754<T>
    {
        for (int k = 0; k < x.Data.Length; k++)
        {
            x.Data[k] += T.CreateChecked(3);
        }

        return x;
    }
}
