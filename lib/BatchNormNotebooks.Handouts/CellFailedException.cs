namespace BatchNormNotebooks.Handouts;

/// <summary>A cell produced an error; the message reads "NN-name.dib:CELL: error".</summary>
public sealed class CellFailedException(string notebook, int cell, string error, IReadOnlyList<CellTiming> timings)
    : Exception($"{notebook}:{cell}: cell {cell} of {notebook} failed: {error}")
{
    /// <summary>The notebook's file name.</summary>
    public string Notebook { get; } = notebook;

    /// <summary>1-based cell number (markdown cells count).</summary>
    public int Cell { get; } = cell;

    /// <summary>Timings of the cells run so far, the failed one last.</summary>
    public IReadOnlyList<CellTiming> Timings { get; } = timings;
}
