namespace BatchNormNotebooks.Handouts;

/// <summary>One output of a cell, as the kernel formatted it.</summary>
/// <param name="Kind">What produced it: <see cref="OutputKind"/>.</param>
/// <param name="MimeType">"text/html" or "text/plain".</param>
/// <param name="Value">The formatted text.</param>
public sealed record CellOutput(OutputKind Kind, string MimeType, string Value);

/// <summary>The event a <see cref="CellOutput"/> came from.</summary>
public enum OutputKind
{
    /// <summary>The value of the cell's last expression (Jupyter "execute_result").</summary>
    ReturnValue,

    /// <summary>A <c>display(...)</c> call (Jupyter "display_data").</summary>
    Display,

    /// <summary>Console.Out.</summary>
    StandardOutput,

    /// <summary>Console.Error.</summary>
    StandardError,

    /// <summary>A compile error or exception (CommandFailed / ErrorProduced).</summary>
    Error,
}

/// <summary>A notebook cell and what running it produced.</summary>
/// <param name="Number">1-based position in the notebook, counting markdown cells too.</param>
/// <param name="Language">"csharp" or "markdown" (any other kernel name is kept as is).</param>
/// <param name="Source">The cell's text.</param>
/// <param name="Outputs">Outputs in the order they arrived (empty for markdown).</param>
/// <param name="Seconds">Wall time in the kernel (0 for markdown).</param>
public sealed record ExecutedCell(int Number, string Language, string Source, IReadOnlyList<CellOutput> Outputs, double Seconds)
{
    /// <summary>True for code cells.</summary>
    public bool IsCode => Language != "markdown";

    /// <summary>True when the cell failed (an error output).</summary>
    public bool Failed => Outputs.Any(o => o.Kind == OutputKind.Error);
}

/// <summary>A notebook after running all its cells.</summary>
/// <param name="Name">File name without extension, e.g. "00-setup-check".</param>
/// <param name="Title">The first markdown heading, or the name.</param>
/// <param name="Cells">All cells in order.</param>
public sealed record ExecutedNotebook(string Name, string Title, IReadOnlyList<ExecutedCell> Cells);
