using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>Mean squared error over all elements: loss = (1/N) Σ (ŷ − y)², ∂loss/∂ŷ = 2(ŷ − y)/N.</summary>
public sealed class MeanSquaredError<T> : ILoss<T> where T : IFloatingPointIeee754<T>
{
    private Matrix<T>? _diff;

    public string Name => "Mean squared error";

    public T Forward(Matrix<T> output, Matrix<T> target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        output.EnsureSameShape(target, "Mean squared error: target must have the output's shape (no broadcasting)", nameof(target));
        _diff = new Matrix<T>(output.Rows, output.Cols);
        TensorPrimitives.Subtract(output.Data, target.Data, _diff.Data);
        return TensorPrimitives.SumOfSquares<T>(_diff.Data) / T.CreateChecked(_diff.Data.Length);
    }

    public Matrix<T> Backward()
    {
        if (_diff is null)
        {
            throw new InvalidOperationException("Backward needs a Forward first.");
        }

        var d = new Matrix<T>(_diff.Rows, _diff.Cols);
        TensorPrimitives.Multiply(_diff.Data, T.CreateChecked(2) / T.CreateChecked(d.Data.Length), d.Data);
        return d;
    }
}
