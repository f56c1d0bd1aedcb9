namespace BatchNormNotebooks;

/// <summary>
/// The lecture's placement table: two features per student (think CGPA and IQ, on the board's small scale) and
/// whether they were placed (1) or not (0). Taught in notebooks/01-backprop-recap and 03-batchnorm-algorithm.
/// </summary>
public static class PlacementData
{
    /// <summary>The board's first row (10, 12), whose label is the question mark.</summary>
    public static readonly double[] QueryRow = [10, 12];

    /// <summary>The board's labelled rows: (6, 8, 0), (9, 9, 1), (8, 8, 1), (5, 6, 1).</summary>
    public static Dataset<double> LectureRows() => new(
        "Placement (lecture rows)",
        Matrix<double>.FromRows([[6, 8], [9, 9], [8, 8], [5, 6]]),
        Matrix<double>.FromRows([[0], [1], [1], [1]]),
        ["x1 (CGPA)", "x2 (IQ)"]);

    /// <summary>The board's five rows (10,12) and the four labelled ones, as a (5, 2) matrix — the batch of notebook 03.</summary>
    public static Matrix<double> BoardInputs() => Matrix<double>.FromRows([[10, 12], [6, 8], [9, 9], [8, 8], [5, 6]]);

    /// <summary>
    /// More rows like the board's, seeded: x1 ~ U(4, 10), x2 = x1 + 2 + N(0, 1.5) (the two go together), and
    /// P(placed) = σ(1.5·(x1 − 7) + 0.5·(x2 − 9)), so the classes overlap as real data does.
    /// </summary>
    public static Dataset<double> Generate(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var rng = new SeededRandom(seed);
        var x = new Matrix<double>(count, 2);
        var y = new Matrix<double>(count, 1);
        for (int i = 0; i < count; i++)
        {
            double x1 = rng.NextUniform(4, 10);
            double x2 = x1 + 2 + rng.NextNormal(0, 1.5);
            double p = 1 / (1 + Math.Exp(-((1.5 * (x1 - 7)) + (0.5 * (x2 - 9)))));
            x[i, 0] = Math.Round(x1, 1);
            x[i, 1] = Math.Round(x2, 1);
            y[i, 0] = rng.NextDouble() < p ? 1 : 0;
        }

        return new Dataset<double>("Placement (generated)", x, y, ["x1 (CGPA)", "x2 (IQ)"]);
    }
}
