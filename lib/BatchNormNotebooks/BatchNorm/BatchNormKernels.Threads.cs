namespace BatchNormNotebooks;

/// <summary>How the array overloads split a batch's rows across cores.</summary>
public static partial class BatchNormKernels
{
    /// <summary>Calls on arrays with at least this many elements (512 KiB of float32, roughly 50–100 µs of work)
    /// split their rows across <see cref="Environment.ProcessorCount"/> threads (at most 8); smaller ones stay on the
    /// caller's thread.</summary>
    public const int ParallelThreshold = 1 << 17;

    private static int ThreadsFor(int length, int batch) =>
        length >= ParallelThreshold && batch >= 2 * Environment.ProcessorCount ? Math.Min(Environment.ProcessorCount, 8) : 1;

    /// <summary>The first row of part <paramref name="part"/> when <paramref name="batch"/> rows are cut into
    /// <paramref name="parts"/> nearly equal parts; RowStart(parts, …) = batch.</summary>
    private static int RowStart(int part, int parts, int batch) => (int)((long)batch * part / parts);
}
