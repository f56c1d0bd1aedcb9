using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>The argument checks every kernel makes before it reads or writes anything.</summary>
public static partial class BatchNormKernels
{
    /// <summary>Checks ε, batch ≥ 1 and every length of a training forward; returns the feature count.</summary>
    private static int CheckForwardTrain<T>(int xLength, int batch, int gammaLength, int betaLength, T epsilon,
        int meanLength, int varianceLength, int invStdLength, int yLength)
        where T : IFloatingPointIeee754<T>
    {
        CheckEpsilon(epsilon);
        int n = FeaturesOf(xLength, batch, gammaLength, minBatch: 1);
        CheckLength(betaLength, n, "beta", "one per feature");
        CheckLength(meanLength, n, "mean", "one per feature");
        CheckLength(varianceLength, n, "variance", "one per feature");
        CheckLength(invStdLength, n, "invStd", "one per feature");
        CheckShapeLength(yLength, batch, n, "y", "");
        return n;
    }

    /// <summary>Checks ε, batch ≥ 0 and every length of an eval forward; returns the feature count.</summary>
    private static int CheckForwardEval<T>(int xLength, int batch, int gammaLength, int betaLength, int runningMeanLength,
        int runningVarianceLength, T epsilon, int yLength)
        where T : IFloatingPointIeee754<T>
    {
        CheckEpsilon(epsilon);
        int n = FeaturesOf(xLength, batch, gammaLength, minBatch: 0);
        CheckLength(betaLength, n, "beta", "one per feature");
        CheckLength(runningMeanLength, n, "runningMean", "one per feature");
        CheckLength(runningVarianceLength, n, "runningVariance", "one per feature");
        CheckShapeLength(yLength, batch, n, "y", "");
        return n;
    }

    /// <summary>Checks batch ≥ 1 and every length of a backward; returns the feature count.</summary>
    private static int CheckBackward(int dyLength, int xLength, int batch, int gammaLength, int meanLength, int invStdLength,
        int dxLength, int dGammaLength, int dBetaLength)
    {
        int n = FeaturesOf(xLength, batch, gammaLength, minBatch: 1);
        CheckShapeLength(dyLength, batch, n, "dy", ", like x");
        CheckShapeLength(dxLength, batch, n, "dx", ", like x");
        CheckLength(meanLength, n, "mean", "one per feature");
        CheckLength(invStdLength, n, "invStd", "one per feature");
        CheckLength(dGammaLength, n, "dGamma", "one per feature");
        CheckLength(dBetaLength, n, "dBeta", "one per feature");
        return n;
    }

    /// <summary>features = x.Length / batch (x must be a whole number of rows), and γ must have one value per feature.
    /// With batch 0 (allowed in eval), x must be empty and the feature count is γ's length.</summary>
    private static int FeaturesOf(int xLength, int batch, int gammaLength, int minBatch)
    {
        if (batch < minBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, minBatch == 1
                ? "A training batch needs at least one row (the layer needs two): batch must be ≥ 1."
                : "batch, the number of rows, must be ≥ 0.");
        }

        if (batch == 0)
        {
            CheckLength(xLength, 0, "x", "an empty batch");
            return gammaLength;
        }

        if (xLength % batch != 0)
        {
            throw new ArgumentException($"x has {xLength} elements, which is not a whole number of rows of a (batch {batch}, features) matrix.", "x");
        }

        int n = xLength / batch;
        if (gammaLength != n)
        {
            CheckLength(gammaLength, n, "gamma", $"one per feature of x, shape (batch {batch}, features {n})");
        }
        return n;
    }

    private static void CheckEpsilon<T>(T epsilon) where T : IFloatingPointIeee754<T>
    {
        if (!(epsilon > T.Zero) || !T.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Batch-norm ε must be a finite number > 0 (PyTorch uses 1e-5, Keras 1e-3): with ε ≤ 0 a constant feature gives 0/0 = NaN.");
        }
    }

    /// <summary>As <see cref="CheckLength"/> for a (batch, n) tensor; the message is built only when the check fails,
    /// so a passing call allocates nothing (the layers' training steps are allocation-free).</summary>
    private static void CheckShapeLength(int actual, int batch, int n, string name, string suffix)
    {
        if (actual != batch * n)
        {
            CheckLength(actual, batch * n, name, $"shape (batch {batch}, features {n}){suffix}");
        }
    }

    private static void CheckLength(int actual, int expected, string name, string why)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has length {actual} but {expected} was expected ({why}).", name);
        }
    }
}
