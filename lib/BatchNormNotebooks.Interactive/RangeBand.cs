namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The mean of several runs over x with the range from the smallest to the largest run shaded (e.g. the test error
/// over seeds, best to worst seed): Low = minimum, Mid = mean, High = maximum at each x, all of the length of x.
/// </summary>
public sealed record RangeBand(string Name, double[] X, double[] Min, double[] Mean, double[] Max) : Band(Name, X, Min, Mean, Max);
