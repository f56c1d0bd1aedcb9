using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>How a <see cref="MiniBatchSampler{T}"/> picks the rows of each mini-batch.</summary>
public enum MiniBatchOrder
{
    /// <summary>Without replacement within an epoch: a seeded permutation of 0 … n−1 is read in consecutive slices of
    /// the batch size; when fewer rows than a batch are left, the permutation is reshuffled in place and read from the
    /// start (the leftover rows are skipped). Every row is seen once per epoch.</summary>
    Epochs,

    /// <summary>Each step independently: the first batch-size entries of a fresh seeded permutation of 0 … n−1, so a
    /// batch never repeats a row but consecutive batches may share rows.</summary>
    Independent,
}

/// <summary>
/// Draws the mini-batches of a training loop from a <see cref="Dataset{T}"/>, reproducibly from a seed: the same
/// seed, order and batch size give the same batches, row for row. Used by <see cref="Trainer"/>,
/// <see cref="Diagnostics"/>, <see cref="Figure1Experiment"/> and <see cref="CovariateShiftExperiments"/>.
/// </summary>
/// <typeparam name="T">Element type of the dataset.</typeparam>
public sealed class MiniBatchSampler<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly Dataset<T> _data;
    private readonly SeededRandom _random;
    private readonly MiniBatchOrder _order;
    private readonly int[] _rows;
    private Matrix<T>? _x, _y;
    private int _cursor;

    /// <summary>Creates a sampler; an <see cref="MiniBatchOrder.Epochs"/> sampler draws its first permutation here.</summary>
    /// <param name="data">The rows to sample from, X (n, features), Y (n, targets).</param>
    /// <param name="batchSize">Rows per batch, in 1 … n.</param>
    /// <param name="seed">Seed of the sampler's own <see cref="SeededRandom"/>.</param>
    /// <param name="order">Epoch-wise without replacement (default) or an independent draw per step.</param>
    public MiniBatchSampler(Dataset<T> data, int batchSize, ulong seed, MiniBatchOrder order = MiniBatchOrder.Epochs)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize <= 0 || batchSize > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"The batch size must be in 1…{data.Count} (the dataset's size) but is {batchSize}.");
        }

        if (!Enum.IsDefined(order))
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "Unknown mini-batch order.");
        }

        _data = data;
        _random = new SeededRandom(seed);
        _order = order;
        BatchSize = batchSize;
        _rows = order == MiniBatchOrder.Epochs ? _random.Permutation(data.Count) : new int[data.Count];
    }

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The dataset's row indices of the next batch (length <see cref="BatchSize"/>); valid until the next call.</summary>
    public ReadOnlySpan<int> NextRows()
    {
        if (_order == MiniBatchOrder.Independent)
        {
            for (int i = 0; i < _rows.Length; i++)
            {
                _rows[i] = i;
            }

            _random.Shuffle<int>(_rows);
            return _rows.AsSpan(0, BatchSize);
        }

        if (_cursor + BatchSize > _rows.Length)
        {
            _random.Shuffle<int>(_rows);
            _cursor = 0;
        }

        var rows = _rows.AsSpan(_cursor, BatchSize);
        _cursor += BatchSize;
        return rows;
    }

    /// <summary>The next batch copied into two matrices the sampler owns, X (batch, features) and Y (batch, targets);
    /// both are overwritten by the next call.</summary>
    public (Matrix<T> X, Matrix<T> Y) Next()
    {
        var rows = NextRows();
        _x ??= new Matrix<T>(BatchSize, _data.X.Cols);
        _y ??= new Matrix<T>(BatchSize, _data.Y.Cols);
        for (int r = 0; r < rows.Length; r++)
        {
            _data.X.Row(rows[r]).CopyTo(_x.Row(r));
            _data.Y.Row(rows[r]).CopyTo(_y.Row(r));
        }

        return (_x, _y);
    }
}
