namespace BatchNormNotebooks;

/// <summary>One training run of the two-moons network.</summary>
/// <param name="Kind">Which network.</param>
/// <param name="Loss">Training loss at every step (on the step's mini-batch, before the update).</param>
/// <param name="Shift">Mean over steps of the mean over units of |Δ batch mean| and |Δ batch std| of the last hidden
/// layer's sigmoid input from one step to the next: how much the distribution that layer sees moves.</param>
/// <param name="SaturatedFraction">Mean over steps of the fraction of all hidden sigmoid outputs outside (0.05, 0.95),
/// where σ′(z) &lt; 0.0475, under a fifth of its peak 0.25.</param>
/// <param name="InputSpread">Mean over steps and units of the batch standard deviation of the last hidden layer's
/// sigmoid input: near 0 means every example gives the unit nearly the same input (a collapsed signal).</param>
public sealed record MoonRun(NetKind Kind, double[] Loss, double Shift, double SaturatedFraction, double InputSpread)
{
    /// <summary>The mean of the last <paramref name="count"/> losses, or +∞ when a loss was not finite (diverged).</summary>
    public double FinalLoss(int count = 20) => Loss.Any(l => !double.IsFinite(l)) ? double.PositiveInfinity : Loss.TakeLast(count).Average();
}
