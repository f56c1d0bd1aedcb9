namespace BatchNormNotebooks;

/// <summary>Two interleaving half circles (scikit-learn's make_moons), a 2-D set no straight line separates.</summary>
public static class TwoMoons
{
    /// <summary><paramref name="count"/> points, half per moon, with Gaussian noise of std <paramref name="noise"/>; label 0 or 1.</summary>
    public static Dataset<double> Generate(int count, ulong seed, double noise = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var rng = new SeededRandom(seed);
        var x = new Matrix<double>(count, 2);
        var y = new Matrix<double>(count, 1);
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            double t = Math.PI * rng.NextDouble();
            x[i, 0] = (label == 0 ? Math.Cos(t) : 1 - Math.Cos(t)) + rng.NextNormal(0, noise);
            x[i, 1] = (label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t)) + rng.NextNormal(0, noise);
            y[i, 0] = label;
        }

        return new Dataset<double>("Two moons", x, y, ["x1", "x2"]);
    }
}
