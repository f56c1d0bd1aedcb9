namespace BatchNormNotebooks;

/// <summary>
/// A true covariate shift, to set beside <see cref="CovariateShiftData"/> (whose shift is a spurious correlation):
/// one input x, drawn from N(mean, std²), and a label drawn from a rule that never changes,
/// P(y = 1 | x) = σ(4(1 − x²)) (<see cref="DogProbability"/>: likely inside |x| &lt; 1, unlikely outside). Moving
/// <c>mean</c> between training and test moves P(x) and leaves P(y | x) exactly as it was.
/// </summary>
/// <remarks>Columns: x and x² (so a logistic model on both columns can represent the rule exactly, one on x alone
/// cannot). Taught in notebooks/02-internal-covariate-shift.</remarks>
public static class InputShiftData
{
    /// <summary>The fixed rule P(y = 1 | x) = σ(4(1 − x²)): 0.98 at x = 0, 0.5 at |x| = 1, 0.018 at |x| = 2.</summary>
    public static double DogProbability(double x) => 1 / (1 + Math.Exp(-4 * (1 - (x * x))));

    /// <summary><paramref name="count"/> rows with x ~ N(<paramref name="mean"/>, <paramref name="std"/>²) and
    /// y ~ Bernoulli(<see cref="DogProbability"/>(x)), columns x and x².</summary>
    public static Dataset<double> Generate(int count, ulong seed, double mean, double std = 0.75)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!(std > 0) || !double.IsFinite(std) || !double.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "The mean must be finite and the standard deviation positive and finite.");
        }

        var rng = new SeededRandom(seed);
        var x = new Matrix<double>(count, 2);
        var y = new Matrix<double>(count, 1);
        for (int i = 0; i < count; i++)
        {
            double v = rng.NextNormal(mean, std);
            x[i, 0] = v;
            x[i, 1] = v * v;
            y[i, 0] = rng.NextDouble() < DogProbability(v) ? 1 : 0;
        }

        return new Dataset<double>(FormattableString.Invariant($"x ~ N({mean}, {std}²), P(y=1|x) = σ(4(1 − x²))"), x, y, ["x", "x²"]);
    }
}

/// <summary>The one-nearest-neighbour classifier: each example gets the label of the closest training example
/// (Euclidean distance over the chosen columns; the first on a tie). It memorises the training set.</summary>
public static class NearestNeighbour
{
    /// <summary>The fraction of <paramref name="test"/> whose nearest training example (over
    /// <paramref name="features"/>) carries its label.</summary>
    public static double Accuracy(Dataset<double> train, Dataset<double> test, params int[] features)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length == 0 || features.Any(j => j < 0 || j >= train.X.Cols || j >= test.X.Cols))
        {
            throw new ArgumentOutOfRangeException(nameof(features), "Name at least one column that both sets have.");
        }

        int right = 0;
        for (int i = 0; i < test.Count; i++)
        {
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int t = 0; t < train.Count; t++)
            {
                double d = 0;
                foreach (int j in features)
                {
                    double diff = test.X[i, j] - train.X[t, j];
                    d += diff * diff;
                }

                if (d < bestDistance)
                {
                    bestDistance = d;
                    best = t;
                }
            }

            right += train.Y[best, 0] == test.Y[i, 0] ? 1 : 0;
        }

        return right / (double)test.Count;
    }
}
