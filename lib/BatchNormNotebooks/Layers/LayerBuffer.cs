using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>A (rows, cols) matrix a layer owns and reuses while the shape stays the same; a new one when it changes.</summary>
internal static class LayerBuffer
{
    /// <summary>Like <see cref="Ensure{T}(ref Matrix{T}?, int, int)"/> with two slots, so alternating between two
    /// shapes (training batches and a larger evaluation set) reuses both instead of reallocating each time.</summary>
    public static Matrix<T> Ensure<T>(ref Matrix<T>? buffer, ref Matrix<T>? spare, int rows, int cols) where T : IFloatingPointIeee754<T>
    {
        if (buffer is not null && buffer.Rows == rows && buffer.Cols == cols)
        {
            return buffer;
        }

        (buffer, spare) = (spare, buffer);
        return Ensure(ref buffer, rows, cols);
    }

    /// <summary>Returns <paramref name="buffer"/> if it has shape (rows, cols), else a new zero matrix stored in it.</summary>
    public static Matrix<T> Ensure<T>(ref Matrix<T>? buffer, int rows, int cols) where T : IFloatingPointIeee754<T>
    {
        if (buffer is null || buffer.Rows != rows || buffer.Cols != cols)
        {
            buffer = new Matrix<T>(rows, cols);
            buffer.MarkShared();   // overwritten by the next call without the indexer: never kept by reference
        }

        return buffer;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="buffer"/> (reshaped if needed, two slots) and returns it.</summary>
    public static Matrix<T> CopyOf<T>(ref Matrix<T>? buffer, ref Matrix<T>? spare, Matrix<T> source) where T : IFloatingPointIeee754<T>
    {
        var copy = Ensure(ref buffer, ref spare, source.Rows, source.Cols);
        source.Storage.AsSpan().CopyTo(copy.Storage);
        GC.KeepAlive(source);   // source's storage may be pooled: it stays source's until the copy is done
        return copy;
    }
}
