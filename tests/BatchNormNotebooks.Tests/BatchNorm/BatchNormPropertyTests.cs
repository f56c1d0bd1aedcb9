using System.Numerics;
using CsCheck;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>CsCheck properties over random shapes and batches, in float and double.</summary>
public class BatchNormPropertyTests
{
    /// <summary>(batch, features, x, γ, β): batch 2…16, features 1…6, x in [−50, 50] with every feature non-constant.</summary>
    private static readonly Gen<(int Batch, int Features, double[] X, double[] Gamma, double[] Beta)> s_batches =
        from batch in Gen.Int[2, 16]
        from features in Gen.Int[1, 6]
        from x in Gen.Double[-50, 50].Array[batch * features]
        from gamma in Gen.Double[-3, 3].Array[features]
        from beta in Gen.Double[-3, 3].Array[features]
        where Enumerable.Range(0, features).All(j => Spread(x, batch, features, j) > 0.1)
        select (batch, features, x, gamma, beta);

    [Theory]
    [InlineData("double", 1e-10)]
    [InlineData("float", 1e-4)]
    public void Output_per_feature_has_mean_beta_and_std_gamma(string type, double tolerance)
    {
        s_batches.Sample(c =>
        {
            var (y, variance) = type == "double" ? Normalize<double>(c) : Normalize<float>(c);
            for (int j = 0; j < c.Features; j++)
            {
                double mean = 0, sq = 0;
                for (int i = 0; i < c.Batch; i++)
                {
                    mean += y[(i * c.Features) + j] / c.Batch;
                }

                for (int i = 0; i < c.Batch; i++)
                {
                    sq += Math.Pow(y[(i * c.Features) + j] - mean, 2) / c.Batch;
                }

                // Biased std of y is |γ|·σ/√(σ² + ε), σ² the batch variance (computed here in float64): ε shrinks it slightly.
                double sigma2 = variance[j];
                double expectedStd = Math.Abs(c.Gamma[j]) * Math.Sqrt(sigma2 / (sigma2 + 1e-5));
                Assert.True(Math.Abs(mean - c.Beta[j]) <= tolerance * Math.Max(1, Math.Abs(c.Gamma[j])), $"feature {j}: mean {mean:R}, β {c.Beta[j]:R}");
                Assert.True(Math.Abs(Math.Sqrt(sq) - expectedStd) <= tolerance * Math.Max(1, Math.Abs(c.Gamma[j])), $"feature {j}: std {Math.Sqrt(sq):R}, expected {expectedStd:R}");
                // And so std ≈ |γ| up to that shrinkage, at most |γ|·ε/(2σ²).
                Assert.True(Math.Abs(Math.Sqrt(sq) - Math.Abs(c.Gamma[j])) <= (Math.Abs(c.Gamma[j]) * 1e-5 / (2 * sigma2)) + (tolerance * Math.Max(1, Math.Abs(c.Gamma[j]))), $"feature {j}: std {Math.Sqrt(sq):R} far from |γ| {Math.Abs(c.Gamma[j]):R}");
            }
        }, iter: 300);
    }

    [Theory]
    [InlineData("double", 1e-12)]
    [InlineData("float", 2e-5)]
    public void Graph_and_closed_form_backward_agree_on_random_shapes(string type, double tolerance)
    {
        Gen.Select(Gen.Int[2, 20], Gen.Int[1, 8], Gen.ULong).Sample((batch, features, seed) =>
        {
            if (type == "double")
            {
                BatchNormBackwardTests.Check<double>(batch, features, tolerance, seed);
            }
            else
            {
                BatchNormBackwardTests.Check<float>(batch, features, tolerance, seed);
            }
        }, iter: 200);
    }

    private static (double[] Y, double[] Variance) Normalize<T>((int Batch, int Features, double[] X, double[] Gamma, double[] Beta) c) where T : IFloatingPointIeee754<T>
    {
        var bn = new BatchNorm1d<T>(c.Features);
        BatchNormBackwardTests.Cast<T>(c.Gamma).CopyTo(bn.Gamma.Value, 0);
        BatchNormBackwardTests.Cast<T>(c.Beta).CopyTo(bn.Beta.Value, 0);
        double[] xt = BatchNormBackwardTests.ToDouble(BatchNormBackwardTests.Cast<T>(c.X));
        var y = bn.Forward(new Matrix<T>(c.Batch, c.Features, BatchNormBackwardTests.Cast<T>(c.X)));
        var (_, _, variance) = ReferenceBatchNorm.Forward(xt, c.Batch, c.Gamma, c.Beta, 1e-5);
        return (BatchNormBackwardTests.ToDouble(y.Data), variance);
    }

    private static double Spread(double[] x, int batch, int features, int j)
    {
        double min = double.MaxValue, max = double.MinValue;
        for (int i = 0; i < batch; i++)
        {
            min = Math.Min(min, x[(i * features) + j]);
            max = Math.Max(max, x[(i * features) + j]);
        }

        return max - min;
    }
}
