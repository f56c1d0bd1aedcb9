using System.Runtime.CompilerServices;

namespace BatchNormNotebooks;

/// <summary>
/// The threads that share a large matrix product: the caller runs part 0 and long-lived background workers run the
/// others (one per further core, at most 8 in all), each part a disjoint block of the output, or of the inner
/// dimension's slices, whose partial sums the caller adds in slice order as the one-thread product does. Every element
/// is computed by exactly the instructions of the one-thread product: same bits.
/// </summary>
/// <remarks>
/// Hand-off costs no allocation: the job is a cached static delegate and a part index. The caller and the workers
/// claim parts one at a time, so a worker the machine has not scheduled yet costs the caller nothing but the post:
/// the caller runs every part nobody claimed. Part 0 is always the caller's, so a split that gives each part the same
/// rows of a weight matrix in every call (forward, xᵀ·dy, the SGD update) keeps those rows in one core's cache. A worker polls for 200 µs after a job it helped with (the next product of a
/// training step usually comes within that) and then sleeps on a semaphore. Only one product uses the workers at a
/// time; a product that finds them taken, or runs inside <see cref="CallerOnly"/> (e.g. Figure 1's one-network-per-core
/// runs), stays on its caller's thread, and so do the next 8 products after four in a row that the caller had to run
/// alone (a machine busier than its cores).
/// </remarks>
internal static class ProductThreads
{
    /// <summary>How long an idle worker polls for the next job before it sleeps.</summary>
    /// <remarks>200 µs since 2026-12-05 (50 before): in the MNIST MLP's step the worker's next job (xᵀ·dy) starts
    /// 70–120 µs after its last (x·W₁) ends, so with 50 µs it slept and was woken in every step. On the AMD Zen 5 VM, 40
    /// rounds alternating 50 and 200 µs in one process, three runs: the public-API step with BN faster with 200 in 36, 31
    /// and 21 rounds, medians of the rounds' medians 1.7–3.7 µs lower (with 400 µs the worker's half of the SGD update
    /// took 5.3–5.4 µs instead of 6.8).</remarks>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5_000;   // 200 µs

    /// <summary>After this many products in a row whose parts the caller ran all by itself (the workers were not
    /// scheduled in time: the machine is busier than its cores), products stay on the caller's thread for
    /// <see cref="BackOffProducts"/> products before splitting is tried again.</summary>
    private const int MissesBeforeBackOff = 4;

    /// <remarks>8 since 2026-12-05 (256 before): on the AMD Zen 5 VM the worker's virtual CPU is now and then not run
    /// for 0.1–10 ms (a spinning C loop on each core saw 13 and 164 such gaps in 5 s), long enough for four misses in a row, and 256
    /// products would then keep about 128 MLP steps (two split products a step) on one core after the worker was back. In-process alternation of the
    /// public-API MLP step, four runs: medians 137.8–143.9 µs with 256, 137.8–140.7 with 8.</remarks>
    private const int BackOffProducts = 8;

    private static readonly object Gate = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static Worker[]? _workers;
    private static int _busy;

    // The current job: the part delegate, its part count, and the generation (high 32 bits) with the next unclaimed
    // part (low 32 bits) in one word, so a worker that wakes late can never claim a part of a newer job by mistake.
    private static Action<int>? _job;
    private static int _parts;
    private static long _state;
    private static int _finished;
    private static int _sleepers;
    private static Exception? _failure;
    private static int _misses;
    private static int _backOff;

    [ThreadStatic]
    private static int t_callerOnly;

    /// <summary>For tests: products this thread has split between threads.</summary>
    [ThreadStatic]
    internal static int ThreadedRuns;

    /// <summary>For tests: on this thread, wait for the workers when another product holds them instead of running alone.</summary>
    [ThreadStatic]
    internal static bool WaitForWorkers;

    /// <summary>Threads a product may use: <see cref="Environment.ProcessorCount"/>, at most 8; 1 inside <see cref="CallerOnly"/>.</summary>
    public static int Available => t_callerOnly > 0 ? 1 : Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Until disposed, products started on this thread run on this thread only (for callers that already
    /// keep every core busy with their own parallelism).</summary>
    public static CallerOnlyScope CallerOnly()
    {
        t_callerOnly++;
        return default;
    }

    /// <summary>Takes the workers for one product; false when another product holds them (the caller then runs its
    /// product alone). A true return must be followed by <see cref="Release"/>.</summary>
    public static bool TryAcquire(int parts)
    {
        if (parts < 2 || parts > Available)
        {
            return false;
        }

        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            if (!WaitForWorkers)
            {
                return false;
            }

            Thread.Yield();
        }

        if (_backOff > 0 && !WaitForWorkers)
        {
            _backOff--;
            Volatile.Write(ref _busy, 0);
            return false;
        }

        return true;
    }

    /// <summary>Gives the workers back.</summary>
    public static void Release() => Volatile.Write(ref _busy, 0);

    /// <summary>With the workers held (<see cref="TryAcquire"/>): runs <paramref name="part"/>(0 … parts − 1) and
    /// returns when all have finished. The caller runs part 0, then the caller and the workers claim the others one at a
    /// time, so a worker the machine has not scheduled yet costs nothing: the caller runs every part nobody claimed.</summary>
    public static void Run(Action<int> part, int parts) => Run(part, parts, countMisses: true);

    /// <summary>Whether the workers are started and none is asleep: a short pass is worth splitting only then (a sleeping
    /// worker wakes too late to help with a few microseconds of work, and then stops polling).</summary>
    public static bool WorkersAwake => _workers is not null && Volatile.Read(ref _sleepers) == 0;

    /// <summary><see cref="Run(Action{int}, int)"/>; with <paramref name="countMisses"/> false (a short element-wise
    /// pass, <see cref="CoreSplit"/>) a run the caller did alone does not count toward the products' back-off.</summary>
    public static void Run(Action<int> part, int parts, bool countMisses)
    {
        var workers = _workers ?? Start();
        _job = part;
        _parts = parts;
        _failure = null;
        Volatile.Write(ref _finished, 0);
        long generation = (Volatile.Read(ref _state) >> 32) + 1;
        // Part 0 is the caller's (so the data a part writes stays with the same core from one call to the next); the
        // workers claim from part 1. Full fence: the job is visible before its generation.
        Interlocked.Exchange(ref _state, (generation << 32) | 1);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            Wake.Release(Math.Min(workers.Length, parts - 1));
        }

        try
        {
            part(0);
        }
        catch (Exception e)
        {
            _failure = e;
        }

        int done = 1 + Work(generation);
        WaitForParts(parts - done);

        if (done < parts)
        {
            _misses = 0;
        }
        else if (countMisses && ++_misses >= MissesBeforeBackOff)
        {
            _misses = 0;
            _backOff = BackOffProducts;
        }

        if (_failure is not null)
        {
            throw new AggregateException("A part of a threaded matrix product failed.", _failure);
        }

        ThreadedRuns++;
    }

    /// <summary>Waits until the workers have finished <paramref name="others"/> parts: one pause per check for the first
    /// <see cref="TightWaitTicks"/> (a worker's part usually ends within microseconds of the caller's, and the backing-off
    /// SpinWait it used before let up to a microsecond or two pass between checks, several times a training step),
    /// then SpinWait's back-off and yields.</summary>
    private static void WaitForParts(int others)
    {
        if (Volatile.Read(ref _finished) >= others)
        {
            return;
        }

        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; ; i++)
        {
            Thread.SpinWait(1);
            if (Volatile.Read(ref _finished) >= others)
            {
                return;
            }

            if ((i & 63) == 63 && System.Diagnostics.Stopwatch.GetTimestamp() - start > TightWaitTicks)
            {
                break;
            }
        }

        var spin = default(SpinWait);
        while (Volatile.Read(ref _finished) < others)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>How long the caller checks for the workers' parts at every pause before it backs off.</summary>
    private static readonly long TightWaitTicks = System.Diagnostics.Stopwatch.Frequency / 20_000;   // 50 µs

    /// <summary>Claims and runs parts of job <paramref name="generation"/> until none is left; returns how many it ran.</summary>
    private static int Work(long generation)
    {
        int ran = 0;
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (state >> 32 != generation || (int)state >= _parts)
            {
                return ran;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state)
            {
                continue;
            }

            // The job cannot finish (nor be replaced) before this claimed part is counted, so its fields are current.
            try
            {
                _job!((int)state);
            }
            catch (Exception e)
            {
                _failure = e;
            }

            ran++;
        }
    }

    private static Worker[] Start()
    {
        lock (Gate)
        {
            if (_workers is null)
            {
                var workers = new Worker[Math.Clamp(Environment.ProcessorCount, 1, 8) - 1];
                for (int w = 0; w < workers.Length; w++)
                {
                    workers[w] = new Worker(w + 1);
                }

                _workers = workers;
            }

            return _workers;
        }
    }

    /// <summary>Ends a <see cref="CallerOnly"/> scope.</summary>
    public readonly struct CallerOnlyScope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_callerOnly--;
    }

    private sealed class Worker
    {
        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MatrixProduct worker {index}" };
            thread.Start();
        }

        private static void Loop()
        {
            long seen = 0;
            bool poll = true;
            while (true)
            {
                long idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
                long generation;
                int polls = 0;
                while ((generation = Volatile.Read(ref _state) >> 32) == seen)
                {
                    // One pause per check (a job is noticed within tens of nanoseconds); the clock only every 64 checks.
                    if (poll && ((++polls & 63) != 0 || System.Diagnostics.Stopwatch.GetTimestamp() - idleSince < SpinTicks))
                    {
                        Thread.SpinWait(1);
                        continue;
                    }

                    Interlocked.Increment(ref _sleepers);   // full fence before the re-check: no lost wake-up
                    if (Volatile.Read(ref _state) >> 32 == seen)
                    {
                        Wake.Wait();
                    }

                    Interlocked.Decrement(ref _sleepers);
                }

                seen = generation;
                int ran = Work(generation);
                poll = ran > 0;   // woken too late to help: the machine is busy, sleep again without polling
                if (ran > 0)
                {
                    Interlocked.Add(ref _finished, ran);
                }
            }
        }
    }
}
