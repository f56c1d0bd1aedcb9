using System.Numerics;
using System.Runtime.InteropServices;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>Issue 22 rewrote the kernels' inner loops (column strips with the sums in registers, the double merges and
/// the per-feature finishing steps vectorized) promising the same bits: every output of the training forward, the
/// closed-form backward, the eval forward and the running statistics, over awkward shapes, float and double, with a
/// large mean (the exact-mean path) and across the threaded split, hashed and compared with the hash the loops before
/// the rewrite gave (main at 2be2616, computed with this same code). Any changed bit anywhere changes the hash.</summary>
public class BatchNormBitsTests
{
    private const ulong HashBeforeTheRewrite = 0xA36FA7C60C19CD26UL;

    [Fact]
    public void Outputs_are_bit_for_bit_those_of_the_loops_before_the_rewrite()
    {
        Assert.Equal(HashBeforeTheRewrite.ToString("X16"), Hash().ToString("X16"));
    }

    internal static ulong Hash()
    {
        ulong h = 1469598103934665603UL;
        void Mix<T>(T[] values) where T : struct
        {
            foreach (byte b in MemoryMarshal.AsBytes(values.AsSpan()))
            {
                h ^= b;
                h *= 1099511628211UL;
            }
        }

        void Run<T>(int m, int n, double offset, int seed) where T : struct, IFloatingPointIeee754<T>
        {
            var r = new SeededRandom((ulong)seed);
            T[] Normal(double shift) => [.. Enumerable.Range(0, m * n).Select(_ => T.CreateChecked((r.NextNormal() * 2) + shift))];
            T[] x = Normal(offset), dy = Normal(0), gamma = Normal(1).AsSpan(0, n).ToArray(), beta = Normal(0).AsSpan(0, n).ToArray();
            T[] mean = new T[n], variance = new T[n], invStd = new T[n], y = new T[m * n], dx = new T[m * n], dGamma = new T[n], dBeta = new T[n];
            BatchNormKernels.ForwardTrain<T>(x, m, gamma, beta, T.CreateChecked(1e-5), mean, variance, invStd, y);
            BatchNormKernels.BackwardClosedForm<T>(dy, x, m, gamma, mean, invStd, dx, dGamma, dBeta);
            T[] runningVariance = [.. variance.Select(v => T.Abs(v) + T.One)], yEval = new T[m * n];
            BatchNormKernels.ForwardEval<T>(x, m, gamma, beta, mean, runningVariance, T.CreateChecked(1e-5), yEval);
            foreach (var a in new[] { mean, variance, invStd, y, dx, dGamma, dBeta, yEval })
            {
                Mix(a);
            }
        }

        int seed = 1;
        foreach (int m in new[] { 2, 3, 5, 31, 32, 33, 60, 64, 65, 100, 256, 700 })
        {
            foreach (int n in new[] { 1, 3, 7, 8, 9, 16, 24, 31, 32, 33, 40, 63, 100, 129, 256 })
            {
                foreach (double offset in new[] { 0.0, 1e4 })
                {
                    Run<float>(m, n, offset, seed++);
                    Run<double>(m, n, offset, seed++);
                }
            }
        }

        Run<float>(600, 100, 0, 9);
        foreach (int n in new[] { 1, 7, 8, 9, 100, 256 })
        {
            var bnFloat = new BatchNorm1d<float>(n);
            var bnDouble = new BatchNorm1d<double>(n, BatchNormConvention.Keras);
            var r = new SeededRandom((ulong)n);
            for (int t = 0; t < 5; t++)
            {
                bnFloat.Forward(Matrix<float>.RandomNormal(7, n, r));
                bnDouble.Forward(Matrix<double>.RandomNormal(9, n, r));
            }

            Mix(bnFloat.Running.Mean);
            Mix(bnFloat.Running.Variance);
            Mix(bnDouble.Running.Mean);
            Mix(bnDouble.Running.Variance);
        }

        return h;
    }
}
