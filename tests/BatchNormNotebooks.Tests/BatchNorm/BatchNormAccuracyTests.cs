namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>
/// float32 on a batch with a large mean: features at 1e4 + N(0, 1). A one-pass variance E[x²] − E[x]² would cancel
/// catastrophically (x² ≈ 1e8, where a float32 step is 8); the kernel's two-pass variance must stay close to a float64
/// computation on the very same float32 inputs.
/// </summary>
public class BatchNormAccuracyTests
{
    /// <summary>The spacing of float32 numbers at 1e4: 2^(13 − 23).</summary>
    private const double Step = 1.0 / 1024;

    [Theory]
    [InlineData(2)]
    [InlineData(60)]
    [InlineData(256)]
    [InlineData(1000)]
    public void Float32_variance_of_a_batch_at_ten_thousand_matches_float64(int batch)
    {
        const int features = 3;
        var random = new SeededRandom(11);
        var x = new float[batch * features];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = (float)(1e4 + random.NextNormal());
        }

        float[] gamma = [1f, 2f, 0.5f], beta = [0f, 1f, -1f];
        float[] mean = new float[features], variance = new float[features], invStd = new float[features], y = new float[x.Length];
        BatchNormKernels.ForwardTrain<float>(x, batch, gamma, beta, 1e-5f, mean, variance, invStd, y);

        double[] xd = [.. x.Select(v => (double)v)];
        var (yRef, meanRef, varianceRef) = ReferenceBatchNorm.Forward(xd, batch, [1, 2, 0.5], [0, 1, -1], 1e-5);
        for (int j = 0; j < features; j++)
        {
            Assert.True(varianceRef[j] > 1e-3, "the test batch should not be constant");

            // Relative 1e-4 on the variance; a one-pass formula is off by O(1) here.
            Assert.True(Math.Abs(variance[j] - varianceRef[j]) <= 1e-4 * varianceRef[j], $"feature {j}: float32 variance {variance[j]:R}, float64 {varianceRef[j]:R}");
            // The mean is accumulated in double and rounded to float32 once: at most half a float32 step at 1e4.
            Assert.True(Math.Abs(mean[j] - meanRef[j]) <= 0.5 * Step, $"feature {j}: float32 mean {mean[j]:R}, float64 {meanRef[j]:R}");
        }

        // The normalized outputs do not inherit that rounding (the kernel centres with the double mean): a few float32
        // roundings of x̂ (|x̂| ≲ 4), times |γ|, plus one of β and y.
        for (int k = 0; k < y.Length; k++)
        {
            int j = k % features;
            double bound = 1e-6 * (Math.Abs(gamma[j]) + 1 + Math.Abs(yRef[k]));
            Assert.True(Math.Abs(y[k] - yRef[k]) <= bound, $"y[{k / features}, {j}] = {y[k]:R}, float64 {yRef[k]:R}");
        }
    }
}
