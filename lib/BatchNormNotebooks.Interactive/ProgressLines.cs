namespace BatchNormNotebooks.Interactive;

/// <summary>
/// Visible progress for a long cell: keeps the latest report of each network (and tuning trial) and shows them all,
/// one line each, through <paramref name="show"/> — in a notebook, the <c>Update</c> of a displayed value, so the
/// output updates in place while the runs go on. Safe to call from the training threads.
/// </summary>
/// <example><code>
/// var shown = "starting …".Display();
/// Figure1Experiment.Run(train, test, new Figure1Options(), progress: new ProgressLines(shown.Update));
/// </code></example>
/// <param name="show">Receives the whole text (one line per network) after every report.</param>
public sealed class ProgressLines(Action<string> show) : IProgress<Figure1Progress>
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Figure1Progress> _latest = new(StringComparer.Ordinal);

    /// <summary>The text last shown.</summary>
    public string Text { get; private set; } = "";

    /// <inheritdoc/>
    public void Report(Figure1Progress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            _latest[value.Network] = value;
            Text = string.Join('\n', _latest.Values.Select(p => p.ToString()));
            show(Text);
        }
    }
}
