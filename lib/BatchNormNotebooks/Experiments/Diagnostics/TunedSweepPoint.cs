namespace BatchNormNotebooks;

/// <summary>One run of <see cref="Diagnostics.TunedInitScaleSweep"/>: a gain, a variant, a seed and one learning rate
/// of the grid, scored on a validation set (to choose η) and on the test set (to report).</summary>
/// <param name="Gain">Weight init gain g.</param>
/// <param name="BatchNorm">With batch norm after each hidden Linear.</param>
/// <param name="Seed">Seed of the initialization and shuffling.</param>
/// <param name="LearningRate">η of this run.</param>
/// <param name="ValidationLoss">Held-out loss on the validation set at the end (evaluation mode; ∞ if diverged).</param>
/// <param name="TestLoss">Held-out loss on the test set at the end (evaluation mode; ∞ if diverged).</param>
/// <param name="TestAccuracy">Test accuracy at the end (evaluation mode; NaN if diverged).</param>
public sealed record TunedSweepPoint(double Gain, bool BatchNorm, ulong Seed, double LearningRate, double ValidationLoss, double TestLoss, double TestAccuracy);
