namespace BatchNormNotebooks;

/// <summary>
/// Splits an element-local pass (each output element a function of its own inputs alone: the sigmoid, tanh, a plain
/// SGD update, the softmax of one row) into contiguous parts run on the matrix products' worker threads
/// (<see cref="ProductThreads"/>). Every element is computed by the same code as on one thread, so the bits are the
/// same; only passes of at least a caller-given size are split, and only while the workers are polling (between the
/// products of a training step): a sleeping worker would wake too late to help.
/// </summary>
/// <remarks>Issue 22: in the MNIST MLP's training step (batch 60) the sigmoid forwards, the loss and the SGD update ran
/// on one core while the other idled between products. Usage: <c>if (!CoreSplit.TryRun(units, minimum, state,
/// static (state, start, length) => …)) { run the pass on the caller's thread }</c>; the body gets each part's range
/// and the state, and must not capture anything (it is cached, so a split allocates nothing).</remarks>
internal static class CoreSplit
{
    [ThreadStatic]
    private static bool t_always;

    /// <summary>Runs <paramref name="body"/>(state, start, length) over the parts of [0, <paramref name="units"/>) on the
    /// product workers and the caller when the pass has at least <paramref name="minimumUnits"/> units (or a test
    /// forces every split) and the workers are awake; returns false, having run nothing, otherwise.</summary>
    /// <param name="units">Elements or rows of the pass.</param>
    /// <param name="minimumUnits">The smallest pass worth splitting.</param>
    /// <param name="state">What the parts read and write, set while the workers are claimed and cleared after.</param>
    /// <param name="body">One part: its range of units; a static lambda.</param>
    /// <param name="align">Part boundaries fall on multiples of this (16 floats: one cache line).</param>
    /// <param name="alongside">Other work, run on the caller's thread after its own part while the workers finish
    /// theirs (a static lambda); only if the pass is split.</param>
    public static bool TryRun<TState>(int units, int minimumUnits, TState state, Action<TState, int, int> body, int align = 16, Action<TState>? alongside = null)
    {
        int parts = ProductThreads.Available;
        if (parts < 2 || units < parts || (units < minimumUnits && !t_always) || (!ProductThreads.WorkersAwake && !t_always)
            || !ProductThreads.TryAcquire(parts))
        {
            return false;
        }

        try
        {
            Job<TState>.Set(state, body, units, align, parts, alongside);
            ProductThreads.Run(Job<TState>.Part, parts, countMisses: false);   // a run the caller did alone: no back-off
        }
        finally
        {
            Job<TState>.Set(default!, null, 0, 1, 0, null);
            ProductThreads.Release();
        }

        return true;
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> over <paramref name="units"/> units: the start and
    /// the length, part boundaries on multiples of <paramref name="align"/> (so two threads never write one cache line).</summary>
    public static (int Start, int Length) Range(int part, int parts, int units, int align = 16)
    {
        int start = part == 0 ? 0 : (int)((long)units * part / parts) / align * align;
        int end = part == parts - 1 ? units : (int)((long)units * (part + 1) / parts) / align * align;
        return (start, end - start);
    }

    /// <summary>The parts of one split pass; its fields are set only while the workers are claimed, one pass at a time.</summary>
    private static class Job<TState>
    {
        public static readonly Action<int> Part = Run;
        private static TState s_state = default!;
        private static Action<TState, int, int>? s_body;
        private static Action<TState>? s_alongside;
        private static int s_units, s_align = 1, s_parts;

        public static void Set(TState state, Action<TState, int, int>? body, int units, int align, int parts, Action<TState>? alongside)
        {
            s_state = state;
            s_body = body;
            s_alongside = alongside;
            s_units = units;
            s_align = align;
            s_parts = parts;
        }

        private static void Run(int part)
        {
            var (start, length) = Range(part, s_parts, s_units, s_align);
            s_body!(s_state, start, length);
            if (part == 0)
            {
                // Part 0 is the caller's (ProductThreads.Run).
                s_alongside?.Invoke(s_state);
            }
        }
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
