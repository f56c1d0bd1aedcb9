namespace BatchNormNotebooks;

/// <summary>
/// The trailing rolling mean of a curve, e.g. a noisy mini-batch loss: element i is the mean of the last
/// <c>window</c> values up to and including i, <c>mean(values[max(0, i − window + 1) … i])</c>, so the first
/// <c>window − 1</c> elements average fewer values (all there are so far). Same length as the input.
/// </summary>
public static class RollingMean
{
    /// <summary>The trailing mean over <paramref name="window"/> steps (fewer at the start) of every element.</summary>
    /// <param name="values">The curve, e.g. <c>TrainingHistory.Loss</c>.</param>
    /// <param name="window">How many values each mean covers (at least 1; 1 returns a copy).</param>
    public static double[] Of(IReadOnlyList<double> values, int window)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        return [.. Enumerable.Range(0, values.Count).Select(i => values.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(i + 1, window)).Average())];
    }
}
