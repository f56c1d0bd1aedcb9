using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>The input x a layer's backward needs, saved by its forward: after a public Forward, the caller's matrix by
/// reference while its version stamp proves it unchanged (a copy only when it cannot: its storage was handed out);
/// after ForwardBuffered, the caller's matrix by reference on the buffered path's contract.</summary>
/// <remarks>PyTorch keeps x and checks a version counter in backward; this does the same, and where a write could
/// bypass the counter (the storage handed out by <see cref="Matrix{T}.Data"/> or <see cref="Matrix{T}.Row"/>) it
/// copies x first, so a Backward never silently differentiates changed values.</remarks>
internal sealed class KeptInput<T> : IMatrixKeeper<T> where T : IFloatingPointIeee754<T>
{
    private Matrix<T>? _input;
    private Matrix<T>? _kept;
    private int _version;
    private Matrix<T>? _copy;
    private Matrix<T>? _copySpare;

    /// <summary>What the last forward saved (null before the first one or after <see cref="Clear"/>).</summary>
    public Matrix<T>? Saved => _input;

    /// <summary>Public Forward: keeps <paramref name="x"/> by reference if every write to it is visible to its version
    /// stamp, else copies it into a buffer of its own.</summary>
    public Matrix<T> Keep(Matrix<T> x)
    {
        if (x.CanBeKept)
        {
            _kept = x;
            _version = x.Version;
            x.AddKeeper(this);
            _input = x;
        }
        else
        {
            _kept = null;
            _input = LayerBuffer.CopyOf(ref _copy, ref _copySpare, x);
        }

        return _input;
    }

    /// <summary>ForwardBuffered: keeps <paramref name="x"/> by reference, unchecked (that path's contract).</summary>
    public Matrix<T> Reference(Matrix<T> x)
    {
        _kept = null;
        _input = x;
        return x;
    }

    /// <summary>Forgets the saved input (a forward threw).</summary>
    public void Clear()
    {
        _kept = null;
        _input = null;
    }

    /// <summary>The saved input for backward.</summary>
    /// <exception cref="InvalidOperationException">x was written through its indexer after the forward.</exception>
    public Matrix<T> ForBackward(string layer)
    {
        if (_kept is not null && _kept.Version != _version)
        {
            throw new InvalidOperationException($"{layer}.Backward: x was modified in place after Forward (an element was assigned), so the gradient would no longer belong to the forward that made the output. Call Forward again, or change a copy of x (x.Clone()). PyTorch raises for the same reason.");
        }

        return _input ?? throw new InvalidOperationException($"{layer}.Backward needs a Forward first.");
    }

    /// <inheritdoc/>
    void IMatrixKeeper<T>.BeforeHandOut(Matrix<T> matrix)
    {
        // Still unchanged: copy it now, before the caller can write through the array; changed: leave it for ForBackward to report.
        if (ReferenceEquals(matrix, _kept) && matrix.Version == _version)
        {
            _kept = null;
            _input = LayerBuffer.CopyOf(ref _copy, ref _copySpare, matrix);
        }
    }
}
