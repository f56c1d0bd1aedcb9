using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>Mean squared error over all elements: loss = (1/N) Σ (ŷ − y)², ∂loss/∂ŷ = 2(ŷ − y)/N.</summary>
public sealed class MeanSquaredError<T> : ILoss<T> where T : IFloatingPointIeee754<T>
{
    private Matrix<T>? _diff;

    /// <inheritdoc/>
    public string Name => "Mean squared error";

    /// <summary>(1/N) Σ (ŷ − y)² over all N elements; <paramref name="target"/> must have the shape of
    /// <paramref name="output"/> (no broadcasting). Keeps ŷ − y for <see cref="Backward"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public T Forward(Matrix<T> output, Matrix<T> target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        output.EnsureSameShape(target, "Mean squared error: target must have the output's shape (no broadcasting)", nameof(target));
        _diff = new Matrix<T>(output.Rows, output.Cols);
        TensorPrimitives.Subtract(output.Storage, target.Storage, _diff.Storage);
        GC.KeepAlive(output);   // pooled storage stays its matrix's until the kernel is done
        GC.KeepAlive(target);
        return TensorPrimitives.SumOfSquares<T>(_diff.Storage) / T.CreateChecked(_diff.Storage.Length);
    }

    /// <summary>∂loss/∂ŷ = 2(ŷ − y)/N for the last forward, shape of the output.</summary>
    /// <exception cref="InvalidOperationException">No forward yet.</exception>
    public Matrix<T> Backward()
    {
        if (_diff is null)
        {
            throw new InvalidOperationException("Backward needs a Forward first.");
        }

        var d = Matrix<T>.Uninitialized(_diff.Rows, _diff.Cols);   // every element written below
        TensorPrimitives.Multiply(_diff.Storage, T.CreateChecked(2) / T.CreateChecked(d.Storage.Length), d.Storage);
        return d;
    }
}
