namespace BatchNormNotebooks;

/// <summary>One point of <see cref="Diagnostics.InitScaleSweep"/>.</summary>
/// <param name="Gain">Weight init gain g: W ~ N(0, g²/fan_in).</param>
/// <param name="BatchNorm">With batch norm after each hidden Linear.</param>
/// <param name="Seed">Seed of the initialization and shuffling.</param>
/// <param name="FinalLoss">Mean training loss of the last 50 steps (∞ if diverged).</param>
/// <param name="TestAccuracy">Test accuracy at the end (evaluation mode).</param>
/// <param name="TestLoss">Held-out loss at the end (evaluation mode; ∞ if diverged, NaN if not measured).</param>
/// <param name="WeightNormStart">‖W‖ (Frobenius) of the middle hidden layer's weight at initialization (NaN if not recorded).</param>
/// <param name="WeightNormEnd">‖W‖ of the same weight at the last step, before its update (NaN if not recorded).</param>
public sealed record SweepPoint(double Gain, bool BatchNorm, ulong Seed, double FinalLoss, double TestAccuracy, double TestLoss = double.NaN,
    double WeightNormStart = double.NaN, double WeightNormEnd = double.NaN);
