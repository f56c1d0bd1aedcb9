namespace BatchNormNotebooks.Interactive;

/// <summary>
/// A shaded band over x with a middle line, as <see cref="Charts.Bands"/> draws it: <c>Mid[k]</c> is the line at
/// <c>X[k]</c>, the area between <c>Low[k]</c> and <c>High[k]</c> is shaded; all four arrays have the same length.
/// What the three lines are depends on the kind of band: <see cref="PercentileBand"/> (percentiles),
/// <see cref="MeanSdBand"/> (mean ± sample standard deviation), <see cref="RangeBand"/> (mean, minimum…maximum).
/// </summary>
public abstract record Band(string Name, double[] X, double[] Low, double[] Mid, double[] High);
