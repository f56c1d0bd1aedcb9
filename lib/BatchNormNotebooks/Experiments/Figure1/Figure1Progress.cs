using System.Globalization;

namespace BatchNormNotebooks;

/// <summary>Progress of a Figure 1 run, reported at every recorded step.</summary>
/// <param name="Network">"without BN" or "with BN" (a tuning trial adds its learning rate).</param>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">Steps in the run.</param>
/// <param name="TestAccuracy">Test (or held-out) accuracy at <paramref name="Step"/>.</param>
/// <param name="Seconds">Seconds since the run started.</param>
public sealed record Figure1Progress(string Network, int Step, int Steps, double TestAccuracy, double Seconds)
{
    /// <summary>One progress line, e.g. "with BN: step 5,000/50,000, test accuracy 96.12 %, 12.3 s" (invariant culture).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Network}: step {Step:N0}/{Steps:N0}, test accuracy {TestAccuracy:P2}, {Seconds:F1} s");
}
