namespace BatchNormNotebooks;

/// <summary>
/// A small seeded generator: SplitMix64 expands the seed into a xoshiro256** state (Blackman and Vigna), and every
/// draw comes from that 64-bit stream — unlike <see cref="System.Random"/>, whose algorithm is an implementation detail.
/// </summary>
/// <remarks>
/// What is identical across machines, operating systems and .NET versions, bit for bit: <see cref="NextUInt64"/>
/// (integer arithmetic only), <see cref="NextDouble"/> and <see cref="NextUniform"/> (the top 53 bits times 2⁻⁵³, then
/// plain IEEE subtract, multiply and add, which .NET does not fuse and which round the same everywhere), and so <see cref="NextInt"/>,
/// <see cref="Shuffle{TItem}"/> and <see cref="Permutation"/>. Normals (<see cref="NextNormal()"/>, Box–Muller) also
/// call Math.Log, Math.Sqrt, Math.Sin and Math.Cos; Sqrt is correctly rounded, but Log, Sin and Cos come from the
/// platform's math library and may differ in the last bit between platforms, so normals agree to about 1e-15
/// relative, not always bit for bit. The same program on the same machine always gives the same numbers.
/// tests/…/Tensors/SeededRandomTests pins both streams to values from an independent implementation.
/// Every notebook seeds one of these so that running it twice prints the same numbers.
/// </remarks>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    /// <summary>Creates a generator from <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The seed this generator started from.</summary>
    public ulong Seed { get; }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double NextUniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextDouble() * maxExclusive);
    }

    /// <summary>A standard normal draw (mean 0, variance 1), Box–Muller.</summary>
    public double NextNormal()
    {
        if (_spareNormal is double spare)
        {
            _spareNormal = null;
            return spare;
        }

        double u1 = 1.0 - NextDouble(); // (0, 1], so the log is finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A normal draw with the given mean and standard deviation.</summary>
    public double NextNormal(double mean, double std) => mean + (std * NextNormal());

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<TItem>(Span<TItem> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0 … n−1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = i;
        }

        Shuffle<int>(p);
        return p;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
