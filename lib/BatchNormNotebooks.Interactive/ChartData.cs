namespace BatchNormNotebooks.Interactive;

/// <summary>One named curve or point group: <c>Y[k]</c> is drawn at <c>X[k]</c>; both have the same length.</summary>
public sealed record Series(string Name, double[] X, double[] Y);

/// <summary>
/// A percentile band over x, e.g. the 15th, 50th and 85th percentiles of an activation during training: Low, Mid and
/// High are the lower percentile, the median and the upper percentile. All have the length of <c>X</c>. For a mean
/// with a spread over seeds use <see cref="MeanSdBand"/> or <see cref="RangeBand"/>.
/// </summary>
public sealed record PercentileBand(string Name, double[] X, double[] Low, double[] Mid, double[] High) : Band(Name, X, Low, Mid, High);

/// <summary>A named sample of values for a histogram.</summary>
public sealed record Sample(string Name, double[] Values);

/// <summary>One position of a slider (<see cref="Charts.Slider"/>): its label, e.g. "0.1", and the series drawn there.</summary>
public sealed record SliderStep(string Label, IReadOnlyList<Series> Series);
