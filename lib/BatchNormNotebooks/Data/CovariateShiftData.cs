namespace BatchNormNotebooks;

/// <summary>
/// The lecture's dog-on-water example as two features: an "object" feature that truly tells the class apart
/// but noisily (dog: N(+1, 1), not dog: N(−1, 1)), and a "background" feature (water vs land) that is spurious.
/// In the training set the background goes with the label (water with dogs) with probability
/// <c>trainCorrelation</c>; in the test set it is independent of the label. A model that leans on the background
/// does well in training and fails in testing. Taught in notebooks/02-internal-covariate-shift.
/// </summary>
public static class CovariateShiftData
{
    /// <summary>Train and test sets of <paramref name="count"/> rows each; label 1 = dog.</summary>
    public static (Dataset<double> Train, Dataset<double> Test) Generate(int count, ulong seed, double trainCorrelation = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!(trainCorrelation >= 0 && trainCorrelation <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(trainCorrelation), trainCorrelation, "A probability must lie in [0, 1].");
        }

        var rng = new SeededRandom(seed);
        return (Make("Dog vs not (train: background follows label)", count, rng, trainCorrelation),
                Make("Dog vs not (test: background independent)", count, rng, 0.5));
    }

    private static Dataset<double> Make(string name, int count, SeededRandom rng, double agreement)
    {
        var x = new Matrix<double>(count, 2);
        var y = new Matrix<double>(count, 1);
        for (int i = 0; i < count; i++)
        {
            int label = rng.NextDouble() < 0.5 ? 1 : 0;
            int water = rng.NextDouble() < agreement ? label : 1 - label;
            x[i, 0] = rng.NextNormal(label == 1 ? 1 : -1, 1);
            x[i, 1] = rng.NextNormal(water == 1 ? 2 : -2, 0.5);
            y[i, 0] = label;
        }

        return new Dataset<double>(name, x, y, ["object", "background (water +, land −)"]);
    }
}
