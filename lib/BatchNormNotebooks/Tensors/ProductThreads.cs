using System.Runtime.CompilerServices;

namespace BatchNormNotebooks;

/// <summary>
/// The threads that share a large matrix product: the caller runs part 0 and long-lived background workers run the
/// others (one per further core, at most 8 in all), each part a disjoint block of the output. No reduction is ever
/// split, so every element is computed by exactly the instructions of the one-thread product: same bits.
/// </summary>
/// <remarks>
/// Hand-off costs no allocation: the job is a cached static delegate and a part index. A worker spins for about
/// <see cref="SpinIterations"/> iterations after a job (the next product of a training step usually comes within
/// microseconds) and then sleeps on a semaphore. Only one product uses the workers at a time; a product that finds
/// them taken, or runs inside <see cref="CallerOnly"/> (e.g. Figure 1's one-network-per-core runs), stays on its
/// caller's thread.
/// </remarks>
internal static class ProductThreads
{
    /// <summary>How long an idle worker polls for the next job before it sleeps (Thread.SpinWait iterations, roughly 50 µs).</summary>
    private const int SpinIterations = 20_000;

    private static readonly object Gate = new();
    private static Worker[]? _workers;
    private static int _busy;

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

        return true;
    }

    /// <summary>Gives the workers back.</summary>
    public static void Release() => Volatile.Write(ref _busy, 0);

    /// <summary>With the workers held (<see cref="TryAcquire"/>): runs <paramref name="part"/>(0 … parts − 1), part 0
    /// on the caller, and returns when all have finished.</summary>
    public static void Run(Action<int> part, int parts)
    {
        var workers = _workers ?? Start();
        Exception? failure = null;
        for (int w = 0; w < parts - 1; w++)
        {
            workers[w].Post(part, w + 1);
        }

        try
        {
            part(0);
        }
        catch (Exception e)
        {
            failure = e;
        }

        for (int w = 0; w < parts - 1; w++)
        {
            failure ??= workers[w].WaitDone();
        }

        if (failure is not null)
        {
            throw new AggregateException("A part of a threaded matrix product failed.", failure);
        }

        ThreadedRuns++;
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
        private readonly SemaphoreSlim _wake = new(0);
        private Action<int>? _job;
        private int _part;
        private int _posted;     // jobs posted (written by the caller)
        private int _done;       // jobs finished (written by the worker)
        private int _sleeping;
        private Exception? _failure;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MatrixProduct worker {index}" };
            thread.Start();
        }

        public void Post(Action<int> job, int part)
        {
            _job = job;
            _part = part;
            _failure = null;
            Interlocked.Increment(ref _posted);   // full fence: the job is visible before the count
            if (Volatile.Read(ref _sleeping) != 0)
            {
                _wake.Release();
            }
        }

        public Exception? WaitDone()
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref _done) != Volatile.Read(ref _posted))
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            return _failure;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                int spins = 0;
                while (Volatile.Read(ref _posted) == seen)
                {
                    if (spins < SpinIterations)
                    {
                        Thread.SpinWait(20);
                        spins += 20;
                        continue;
                    }

                    Interlocked.Exchange(ref _sleeping, 1);   // full fence before the re-check: no lost wake-up
                    if (Volatile.Read(ref _posted) == seen)
                    {
                        _wake.Wait();
                    }

                    Volatile.Write(ref _sleeping, 0);
                }

                seen++;
                try
                {
                    _job!(_part);
                }
                catch (Exception e)
                {
                    _failure = e;
                }

                Volatile.Write(ref _done, seen);
            }
        }
    }
}
