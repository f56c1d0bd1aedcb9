namespace BatchNormNotebooks;

/// <summary>What <see cref="Diagnostics.Train"/> recorded. Step t (0-based) is the forward and backward made after t
/// updates, so step 0 shows the network at initialization.</summary>
public sealed class DiagnosticRun
{
    /// <summary>Training loss of the mini-batch at each step (before that step's update).</summary>
    public List<double> Loss { get; } = [];

    /// <summary>Saturation[k][t]: fraction of hidden layer k+1's tanh outputs with |a| &gt; threshold at step t.</summary>
    public List<List<double>> Saturation { get; } = [];

    /// <summary>UpdateRatio[k][t]: log10(std(η·∂L/∂W) / std(W)) of hidden layer k+1's Linear weight at step t, W before
    /// the update (Karpathy's update-to-data ratio; the output layer is not included).</summary>
    public List<List<double>> UpdateRatio { get; } = [];

    /// <summary>WeightStd[k][t]: std(W) of hidden layer k+1's Linear weight at step t, before the update (the
    /// denominator of <see cref="UpdateRatio"/>).</summary>
    public List<List<double>> WeightStd { get; } = [];

    /// <summary>GradStd[k][t]: std(∂L/∂W) of hidden layer k+1's Linear weight at step t (the numerator of
    /// <see cref="UpdateRatio"/> divided by η).</summary>
    public List<List<double>> GradStd { get; } = [];

    /// <summary>WeightNorm[k][t]: Frobenius norm ‖W‖ of hidden layer k+1's Linear weight at step t, before the update.
    /// For a weight that feeds a batch norm, η/‖W‖² is its effective learning rate (notebook 08, section 6).</summary>
    public List<List<double>> WeightNorm { get; } = [];

    /// <summary>Per-layer activations and gradients at the requested snapshot steps.</summary>
    public Dictionary<int, LayerSnapshot[]> Snapshots { get; } = [];

    /// <summary>True when the loss became NaN or infinite and training stopped.</summary>
    public bool Diverged { get; set; }

    /// <summary>Accuracy of the trained network (evaluation mode) on the test set given to <see cref="Diagnostics.Train"/>,
    /// NaN without one.</summary>
    public double TestAccuracy { get; set; } = double.NaN;

    /// <summary>Mean softmax cross-entropy of the trained network (evaluation mode, running statistics) on the test set
    /// given to <see cref="Diagnostics.Train"/>: ∞ if training diverged or the eval-mode loss is not finite, NaN without
    /// a test set.</summary>
    public double TestLoss { get; set; } = double.NaN;

    /// <summary>Mean training loss of the last <paramref name="count"/> steps (∞ if diverged).</summary>
    public double FinalLoss(int count = 50) => Diverged || Loss.Count == 0 ? double.PositiveInfinity : Loss.TakeLast(count).Average();

    /// <summary>Mean over the steps t in [from, to) of a per-step series, e.g. <c>Mean(run.Saturation[0], 0, 50)</c>.</summary>
    public static double Mean(IReadOnlyList<double> series, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (from < 0 || to > series.Count || from >= to)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"Need 0 ≤ from < to ≤ {series.Count}, got [{from}, {to}).");
        }

        double sum = 0;
        for (int t = from; t < to; t++)
        {
            sum += series[t];
        }

        return sum / (to - from);
    }
}
