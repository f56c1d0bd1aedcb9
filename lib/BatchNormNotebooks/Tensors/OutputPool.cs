using System.Numerics;
using System.Runtime.CompilerServices;

namespace BatchNormNotebooks;

/// <summary>
/// Reuses the array of a large fresh output (<see cref="Matrix{T}.Uninitialized"/>, <see cref="Matrix{T}.Clone"/>)
/// once the <see cref="Matrix{T}"/> that owned it is unreachable, never earlier.
/// </summary>
/// <remarks>
/// Why: an array of 85,000 bytes or more lives on the large-object heap, and the GC decommits freed LOH memory, so
/// every page of every fresh large output page-faults when it is first written (issue 22: allocating two 256 KB arrays
/// and writing each once cost 200 µs against 14 µs for the same copies into existing arrays, 120 minor faults per call
/// for the 2 × 64 pages). PyTorch's CPU tensors come from the C library's malloc, which typically hands the block just
/// freed straight back (glibc, for blocks under its mmap threshold); this pool does the same for
/// the public API's outputs. With it a BatchNorm1d Forward+Backward at (256, 256) float32 took 0.8 and 1.1 minor
/// faults per call in two runs of 2,000 calls (64–65 gen-1 collections per run), and 2.0 at (4096, 1024) (2 × 4,096
/// pages fresh) over 40 calls (2026-12-05, scratch check).
/// <para>The rule: an array is reused only when the GC has found its owner unreachable (a weak reference to the owner
/// came back empty) and its storage was never handed out. Once <see cref="Matrix{T}.Data"/>, <see cref="Matrix{T}.Row"/>
/// or MarkShared has handed the array out, the pool forgets it for good: the caller may hold the array after the
/// matrix dies. A matrix that wraps a caller's array is never pooled. So the pool never changes values a caller holds.
/// Library code that reads <see cref="Matrix{T}.Storage"/> must therefore keep the matrix itself alive while it uses
/// the array (hold the matrix, or <see cref="GC.KeepAlive"/> it after the last use): the array alone does not count.</para>
/// <para>Per element type and array length, a short list of leases (array, weak reference to its owner, handed-out
/// flag). A rent reuses a free lease; with none free and already <see cref="CollectAt"/> leases of that length it forces
/// a gen-1 collection (the dropped outputs are young) and looks again; still none: a new lease while under
/// <see cref="MaxLeases"/> of that length and <see cref="CapBytes"/> in all (making room by dropping the least recently
/// used free leases), otherwise a plain untracked array. A collection that freed nothing doubles the number of rents of
/// that length that skip the collection (up to <see cref="MaxSkips"/>), so a caller who keeps every output pays for
/// few collections. Arrays below the LOH threshold are not pooled: gen-0 allocation is cheap.</para>
/// <para>Thread-safe: one lock. Steady state allocates only the <see cref="Matrix{T}"/> object itself.</para>
/// </remarks>
internal static class OutputPool
{
    /// <summary>Arrays of at least this many bytes go to the large-object heap (the runtime's threshold).</summary>
    public const int LargeObjectBytes = 85_000;

    /// <summary>The bytes of one length that may circulate before a rent forces a collection: 16 MiB.</summary>
    public const long CirculatingBytes = 16L << 20;

    /// <summary>The total bytes of tracked arrays: 256 MiB (four 64 MiB outputs, e.g. (65536, 256) float32), or an
    /// eighth of the memory the GC may use if that is less.</summary>
    public static readonly long CapBytes = Math.Min(256L << 20, Math.Max(32L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8));

    /// <summary>The most rents of one length that skip the collection after collections that freed nothing.</summary>
    public const int MaxSkips = 64;

    private static readonly object Gate = new();
    private static readonly Dictionary<(Type Element, int Length), Bucket> Buckets = [];
    private static long _trackedBytes;
    private static long _clock;
    private static int _collections;

    /// <summary>True when an array of <paramref name="length"/> elements of T is pooled (it would live on the LOH).</summary>
    public static bool IsPooled<T>(int length) => (long)length * Unsafe.SizeOf<T>() >= LargeObjectBytes;

    /// <summary>Leases of one length that circulate before a rent forces a collection: 16 MiB of them, 4 to 64.</summary>
    public static int CollectAt(long bytes) => (int)Math.Clamp(CirculatingBytes / bytes, 4, 64);

    /// <summary>The most leases of one length: twice <see cref="CollectAt"/>.</summary>
    public static int MaxLeases(long bytes) => 2 * CollectAt(bytes);

    /// <summary>For tests: collections the pool has forced so far.</summary>
    internal static int Collections => Volatile.Read(ref _collections);

    /// <summary>For tests: bytes of the arrays the pool tracks now.</summary>
    internal static long TrackedBytes
    {
        get
        {
            lock (Gate)
            {
                return _trackedBytes;
            }
        }
    }

    /// <summary>For tests: leases the pool holds for arrays of <paramref name="length"/> elements of T.</summary>
    internal static int LeaseCount<T>(int length)
    {
        lock (Gate)
        {
            return Buckets.TryGetValue((typeof(T), length), out var bucket) ? bucket.Leases.Count : 0;
        }
    }

    /// <summary>For tests: collections forced by rents of arrays of <paramref name="length"/> elements of T.</summary>
    internal static int CollectionsFor<T>(int length)
    {
        lock (Gate)
        {
            return Buckets.TryGetValue((typeof(T), length), out var bucket) ? bucket.Collections : 0;
        }
    }

    /// <summary>A (rows, cols) matrix with a pooled array (not zeroed: the caller overwrites every element); the pool
    /// reuses the array once the matrix is unreachable, unless its storage was handed out.</summary>
    public static Matrix<T> Rent<T>(int rows, int cols) where T : IFloatingPointIeee754<T>
    {
        int length = checked(rows * cols);
        long bytes = (long)length * Unsafe.SizeOf<T>();
        lock (Gate)
        {
            var key = (typeof(T), length);
            if (!Buckets.TryGetValue(key, out var bucket))
            {
                bucket = new Bucket(CollectAt(bytes), MaxLeases(bytes));
                Buckets.Add(key, bucket);
            }

            var lease = bucket.FindFree();
            if (lease is null && bucket.Leases.Count >= bucket.CollectAt)
            {
                lease = CollectAndFindFree(bucket);
            }

            if (lease is null)
            {
                if (bucket.Leases.Count >= bucket.MaxLeases || !MakeRoom(bytes))
                {
                    return Matrix<T>.Untracked(rows, cols);
                }

                var array = GC.AllocateUninitializedArray<T>(length);
                var matrix = Matrix<T>.Leased(rows, cols, array, null);
                lease = new Lease(array, bytes, matrix, bucket);
                matrix.AttachLease(lease);
                bucket.Leases.Add(lease);
                _trackedBytes += bytes;
                lease.LastUse = ++_clock;
                return matrix;
            }

            var reused = Matrix<T>.Leased(rows, cols, (T[])lease.Array, lease);
            lease.Owner.SetTarget(reused);
            lease.LastUse = ++_clock;
            return reused;
        }
    }

    /// <summary>The array's owner hands it out: the pool forgets the lease for good (the caller may keep the array).</summary>
    public static void Forget(Lease lease)
    {
        lock (Gate)
        {
            if (lease.HandedOut)
            {
                return;
            }

            lease.HandedOut = true;
            lease.Dropped = true;
            lease.Bucket.Leases.Remove(lease);
            _trackedBytes -= lease.Bytes;
        }
    }

    private static Lease? CollectAndFindFree(Bucket bucket)
    {
        if (bucket.SkipsLeft > 0)
        {
            bucket.SkipsLeft--;
            return null;
        }

        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        _collections++;
        bucket.Collections++;
        var lease = bucket.FindFree();
        if (lease is null)
        {
            bucket.Skips = Math.Min(Math.Max(1, 2 * bucket.Skips), MaxSkips);
            bucket.SkipsLeft = bucket.Skips;
        }
        else
        {
            bucket.Skips = 0;
        }

        return lease;
    }

    /// <summary>True when <paramref name="bytes"/> more fit under <see cref="CapBytes"/>, after dropping the least
    /// recently used free leases of any length if needed (their arrays go back to the GC).</summary>
    private static bool MakeRoom(long bytes)
    {
        while (_trackedBytes + bytes > CapBytes)
        {
            Lease? oldest = null;
            foreach (var bucket in Buckets.Values)
            {
                foreach (var lease in bucket.Leases)
                {
                    if (lease.IsFree && (oldest is null || lease.LastUse < oldest.LastUse))
                    {
                        oldest = lease;
                    }
                }
            }

            if (oldest is null)
            {
                return false;
            }

            oldest.Dropped = true;
            oldest.Bucket.Leases.Remove(oldest);
            _trackedBytes -= oldest.Bytes;
        }

        return true;
    }

    /// <summary>One pooled array: its current owner (weakly) and whether its storage was handed out.</summary>
    internal sealed class Lease(Array array, long bytes, object owner, Bucket bucket)
    {
        /// <summary>The pooled array.</summary>
        public Array Array { get; } = array;

        /// <summary>Its size in bytes.</summary>
        public long Bytes { get; } = bytes;

        /// <summary>The matrix that owns the array now; re-targeted on reuse (no new weak reference per rent).</summary>
        public WeakReference<object> Owner { get; } = new(owner);

        /// <summary>The bucket that lists this lease.</summary>
        public Bucket Bucket { get; } = bucket;

        /// <summary>True once the owner handed the storage out: the pool has forgotten the lease.</summary>
        public bool HandedOut { get; set; }

        /// <summary>No longer in its bucket (forgotten or dropped at the cap): never rented again.</summary>
        public bool Dropped { get; set; }

        /// <summary>The pool's clock at the last rent, for dropping the least recently used free lease.</summary>
        public long LastUse { get; set; }

        /// <summary>Free: never handed out, and the GC found the owner unreachable.</summary>
        public bool IsFree => !HandedOut && !Owner.TryGetTarget(out _);
    }

    /// <summary>The leases of one element type and array length.</summary>
    internal sealed class Bucket(int collectAt, int maxLeases)
    {
        /// <summary>Leases before a rent forces a collection.</summary>
        public int CollectAt { get; } = collectAt;

        /// <summary>The most leases.</summary>
        public int MaxLeases { get; } = maxLeases;

        /// <summary>The leases.</summary>
        public List<Lease> Leases { get; } = [];

        /// <summary>Collections forced for this length.</summary>
        public int Collections { get; set; }

        /// <summary>Rents that skip the collection after the last fruitless one (doubling, at most <see cref="MaxSkips"/>).</summary>
        public int Skips { get; set; }

        /// <summary>Rents left to skip the collection.</summary>
        public int SkipsLeft { get; set; }

        /// <summary>The most recently used free lease (its pages are the likeliest to be in cache), or null.</summary>
        /// <remarks>A lease found free stays free until it is rented again (only a collection frees one, and only this
        /// pool rents), so one scan of the weak references lists every free lease, most recently used last, and the
        /// following rents take from that list: about one weak-reference check per rent instead of one per lease.</remarks>
        public Lease? FindFree()
        {
            while (_candidates.Count > 0)
            {
                var lease = _candidates[^1];
                _candidates.RemoveAt(_candidates.Count - 1);
                if (!lease.Dropped && lease.IsFree)
                {
                    return lease;
                }
            }

            foreach (var lease in Leases)
            {
                if (lease.IsFree)
                {
                    _candidates.Add(lease);
                }
            }

            if (_candidates.Count == 0)
            {
                return null;
            }

            _candidates.Sort(static (a, b) => a.LastUse.CompareTo(b.LastUse));
            var best = _candidates[^1];
            _candidates.RemoveAt(_candidates.Count - 1);
            return best;
        }

        private readonly List<Lease> _candidates = [];
    }
}
