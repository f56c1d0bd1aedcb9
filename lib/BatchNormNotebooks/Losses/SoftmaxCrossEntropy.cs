using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>
/// Softmax followed by cross-entropy, fused: output = logits (batch, classes), target = class indices (batch, 1); an index that is out of range or not an integer throws an ArgumentException naming its row.
/// loss = −(1/m) Σ_i log softmax(z_i)[y_i]; ∂loss/∂z_i = (softmax(z_i) − onehot(y_i))/m.
/// </summary>
/// <remarks>Softmax subtracts the row maximum first, so large logits do not overflow. The paper's MNIST MLP
/// ends with it (notebooks/02-internal-covariate-shift).</remarks>
public sealed class SoftmaxCrossEntropy<T> : ILoss<T> where T : IFloatingPointIeee754<T>
{
    private Matrix<T>? _probabilities;
    private Matrix<T>? _target;
    private Matrix<T>? _gradient;

    /// <inheritdoc/>
    public string Name => "Softmax cross-entropy";

    /// <summary>−(1/m) Σ_i log softmax(z_i)[y_i] for logits <paramref name="output"/> z (m, classes) and class indices
    /// <paramref name="target"/> y (m, 1), computed as log Σ_c e^(z_ic − max_i) + max_i − z_i,y_i so large logits do
    /// not overflow; keeps softmax(z) and y for <see cref="Backward"/>.</summary>
    /// <exception cref="ArgumentException">The target is not (m, 1), or an index is not an integer in 0…classes−1
    /// (the message names its row).</exception>
    public T Forward(Matrix<T> output, Matrix<T> target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Rows != output.Rows || target.Cols != 1)
        {
            throw new ArgumentException($"Softmax cross-entropy needs targets of shape ({output.Rows}, 1) holding class indices, but got {target.Shape} for output {output.Shape}.", nameof(target));
        }

        var p = _probabilities is { } reuse && reuse.Rows == output.Rows && reuse.Cols == output.Cols ? reuse : new Matrix<T>(output.Rows, output.Cols);
        p.MarkShared();
        T total = T.Zero;
        for (int i = 0; i < output.Rows; i++)
        {
            int label = ClassIndex(target[i, 0], output.Cols, i);
            TensorPrimitives.SoftMax(output.StorageRow(i), p.StorageRow(i));
            ReadOnlySpan<T> z = output.StorageRow(i);
            T max = Elementwise.Max(z);
            T logSum = T.Zero;
            for (int c = 0; c < z.Length; c++)
            {
                logSum += T.Exp(z[c] - max);
            }

            total += T.Log(logSum) + max - z[label];
        }

        _probabilities = p;
        _target = target;
        return total / T.CreateChecked(output.Rows);
    }

    /// <summary>∂loss/∂z = (softmax(z) − onehot(y)) / m for the last forward, shape (m, classes).</summary>
    /// <exception cref="InvalidOperationException">No forward yet.</exception>
    public Matrix<T> Backward()
    {
        if (_probabilities is null || _target is null)
        {
            throw new InvalidOperationException("Backward needs a Forward first.");
        }

        return BackwardInto(_probabilities.Clone());
    }

    /// <inheritdoc/>
    public Matrix<T> BackwardBuffered()
    {
        if (_probabilities is null || _target is null)
        {
            throw new InvalidOperationException("Backward needs a Forward first.");
        }

        if (_gradient is null || _gradient.Rows != _probabilities.Rows || _gradient.Cols != _probabilities.Cols)
        {
            _gradient = new Matrix<T>(_probabilities.Rows, _probabilities.Cols);
            _gradient.MarkShared();   // overwritten by the next call: never kept by reference
        }

        _probabilities.Storage.AsSpan().CopyTo(_gradient.Storage);
        return BackwardInto(_gradient);
    }

    private Matrix<T> BackwardInto(Matrix<T> d)
    {
        T invM = T.One / T.CreateChecked(d.Rows);
        for (int i = 0; i < d.Rows; i++)
        {
            d[i, int.CreateTruncating(_target![i, 0])] -= T.One;
        }

        Elementwise.Multiply<T>(d.Storage, invM, d.Storage);
        return d;
    }

    private static int ClassIndex(T value, int classes, int row)
    {
        if (!T.IsInteger(value) || value < T.Zero || value >= T.CreateChecked(classes))
        {
            throw new ArgumentException($"Softmax cross-entropy needs integer class indices in 0…{classes - 1}, but target row {row} is {value}.", "target");
        }

        return int.CreateTruncating(value);
    }
}
