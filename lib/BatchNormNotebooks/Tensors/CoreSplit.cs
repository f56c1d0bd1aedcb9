namespace BatchNormNotebooks;

/// <summary>
/// Splits an element-local pass (each output element a function of its own inputs alone: the sigmoid, tanh, a plain
/// SGD update, the softmax of one row) into contiguous parts run on the matrix products' worker threads
/// (<see cref="ProductThreads"/>). Every element is computed by the same code as on one thread, so the bits are the
/// same; only passes of at least a caller-given size are split, and only while the workers are polling (between the
/// products of a training step): a sleeping worker would wake too late to help.
/// </summary>
/// <remarks>Issue 22: in the MNIST MLP's training step (batch 60) the sigmoid forwards, the loss and the SGD update ran
/// on one core while the other idled between products. Usage: <c>if (CoreSplit.TryAcquire(units, minimum, out int
/// parts)) { try { set the job's fields; CoreSplit.Run(job, parts); } finally { CoreSplit.Release(); } }</c>,
/// otherwise run the pass on the caller's thread.</remarks>
internal static class CoreSplit
{
    [ThreadStatic]
    private static bool t_always;

    /// <summary>Claims the worker threads for a pass of <paramref name="units"/> units when it has at least
    /// <paramref name="minimumUnits"/> (or a test forces every split); false: run it on the caller's thread.</summary>
    public static bool TryAcquire(int units, int minimumUnits, out int parts)
    {
        parts = ProductThreads.Available;
        if (parts < 2 || units < parts || (units < minimumUnits && !t_always) || (!ProductThreads.WorkersAwake && !t_always)
            || !ProductThreads.TryAcquire(parts))
        {
            parts = 1;
            return false;
        }

        return true;
    }

    /// <summary>Runs <paramref name="part"/>(0 … parts − 1) on the claimed workers and the caller; a run the caller did
    /// alone does not make the products back off.</summary>
    public static void Run(Action<int> part, int parts) => ProductThreads.Run(part, parts, countMisses: false);

    /// <summary>Frees the worker threads claimed by <see cref="TryAcquire"/>.</summary>
    public static void Release() => ProductThreads.Release();

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> over <paramref name="units"/> units: the start and
    /// the length, part boundaries on multiples of <paramref name="align"/> (so two threads never write one cache line).</summary>
    public static (int Start, int Length) Range(int part, int parts, int units, int align = 16)
    {
        int start = part == 0 ? 0 : (int)((long)units * part / parts) / align * align;
        int end = part == parts - 1 ? units : (int)((long)units * (part + 1) / parts) / align * align;
        return (start, end - start);
    }

    /// <summary>For tests, on this thread until disposed: every pass with at least one unit per part is split, waiting
    /// for the workers if another pass holds them.</summary>
    internal static AlwaysScope Always()
    {
        t_always = true;
        ProductThreads.WaitForWorkers = true;
        return default;
    }

    /// <summary>Ends <see cref="Always"/>.</summary>
    internal readonly struct AlwaysScope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose()
        {
            t_always = false;
            ProductThreads.WaitForWorkers = false;
        }
    }
}
