using System.Buffers.Binary;

namespace BatchNormNotebooks;

/// <summary>An IDX array of unsigned bytes: its dimensions and its values, row-major.</summary>
/// <param name="Path">The file it was read from.</param>
/// <param name="Dimensions">The sizes, outermost first, e.g. (60000, 28, 28) for MNIST's training images.</param>
/// <param name="Data">The values, row-major, length the product of <paramref name="Dimensions"/>.</param>
public sealed record IdxArray(string Path, IReadOnlyList<int> Dimensions, byte[] Data)
{
    /// <summary>The number of items: the first dimension.</summary>
    public int Count => Dimensions[0];

    /// <summary>Values per item: the product of the other dimensions (1 for a vector).</summary>
    public int ItemSize => Dimensions.Skip(1).Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// Reads the IDX format of LeCun's MNIST files: a 4-byte magic number (two zero bytes, a type code, the number of
/// dimensions), one big-endian 32-bit size per dimension, then the values row-major. Only type 0x08 (unsigned byte,
/// what MNIST uses) is supported. Every check names the file and what is wrong: the magic number, the type, the
/// dimensions, a file shorter (truncated) or longer than its header promises.
/// </summary>
/// <remarks>Used by <see cref="MnistFull"/> for notebooks/02-internal-covariate-shift (the paper's Figure 1).</remarks>
public static class IdxFile
{
    /// <summary>The IDX type code of unsigned bytes.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>Reads an IDX file of unsigned bytes with any number of dimensions (1…4).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The magic number, type, dimensions or length is wrong; the message
    /// names the file and the problem.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file {path} does not exist.", path);
        }

        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses the bytes of an IDX file; <paramref name="path"/> only names it in error messages.</summary>
    public static IdxArray Parse(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 4)
        {
            throw Bad(path, $"is truncated: {bytes.Length} bytes, too short for the 4-byte magic number");
        }

        if (bytes[0] != 0 || bytes[1] != 0)
        {
            throw Bad(path, $"has magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(bytes):X8}, not an IDX file (the first two bytes must be 0)");
        }

        if (bytes[2] != UnsignedByte)
        {
            throw Bad(path, $"has IDX type code 0x{bytes[2]:X2}; only 0x08 (unsigned byte, as in MNIST) is supported");
        }

        int rank = bytes[3];
        if (rank is < 1 or > 4)
        {
            throw Bad(path, $"declares {rank} dimensions; expected 1 to 4");
        }

        int headerLength = 4 + (4 * rank);
        if (bytes.Length < headerLength)
        {
            throw Bad(path, $"is truncated: {bytes.Length} bytes, but its header of {rank} dimensions needs {headerLength}");
        }

        var dimensions = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + (4 * d)));
            if (size == 0 || size > int.MaxValue)
            {
                throw Bad(path, $"declares dimension {d} of size {size}; sizes must be 1…{int.MaxValue}");
            }

            dimensions[d] = (int)size;
            count *= size;
            if (count > Array.MaxLength)
            {
                throw Bad(path, $"declares {string.Join(" × ", dimensions.Take(d + 1))} values, more than an array can hold");
            }
        }

        long expected = headerLength + count;
        if (bytes.Length < expected)
        {
            throw Bad(path, $"is truncated: its header declares {string.Join(" × ", dimensions)} = {count} values ({expected} bytes in all) but the file has {bytes.Length} bytes");
        }

        if (bytes.Length > expected)
        {
            throw Bad(path, $"has {bytes.Length - expected} bytes after the {count} values its header declares ({string.Join(" × ", dimensions)})");
        }

        return new IdxArray(path, dimensions, bytes.AsSpan(headerLength).ToArray());
    }

    /// <summary>Writes <paramref name="dimensions"/> and <paramref name="data"/> as an IDX file of unsigned bytes
    /// (the inverse of <see cref="Read"/>; tests use it to build small files).</summary>
    public static void Write(string path, IReadOnlyList<int> dimensions, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count is < 1 or > 4 || dimensions.Any(d => d <= 0))
        {
            throw new ArgumentException($"IDX needs 1 to 4 positive dimensions, got ({string.Join(", ", dimensions)}).", nameof(dimensions));
        }

        long count = dimensions.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length)
        {
            throw new ArgumentException($"Dimensions ({string.Join(", ", dimensions)}) hold {count} values but data has {data.Length}.", nameof(data));
        }

        byte[] bytes = new byte[4 + (4 * dimensions.Count) + data.Length];
        bytes[2] = UnsignedByte;
        bytes[3] = (byte)dimensions.Count;
        for (int d = 0; d < dimensions.Count; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * d)), dimensions[d]);
        }

        data.CopyTo(bytes.AsSpan(4 + (4 * dimensions.Count)));
        File.WriteAllBytes(path, bytes);
    }

    private static InvalidDataException Bad(string path, string problem) => new($"IDX file {path} {problem}.");
}
