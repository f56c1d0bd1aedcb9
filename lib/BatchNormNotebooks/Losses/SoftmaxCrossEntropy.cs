using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks;

/// <summary>
/// Softmax followed by cross-entropy, fused: output = logits (batch, classes), target = class indices (batch, 1); an index that is out of range or not an integer throws an ArgumentException naming its row.
/// loss = −(1/m) Σ_i log softmax(z_i)[y_i]; ∂loss/∂z_i = (softmax(z_i) − onehot(y_i))/m.
/// </summary>
/// <remarks>The loss subtracts the row maximum first, and so does softmax wherever an unshifted exponential could
/// overflow, so large logits give finite probabilities and gradients (tested at logits of ±1000). The paper's MNIST MLP
/// ends with it (notebooks/02-internal-covariate-shift).</remarks>
public sealed class SoftmaxCrossEntropy<T> : ILoss<T> where T : IFloatingPointIeee754<T>
{
    private Matrix<T>? _probabilities;
    private Matrix<T>? _target;
    private Matrix<T>? _gradient;
    private int[]? _labels;
    private T[]? _rowLosses;

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
        if (_labels is null || _labels.Length != output.Rows)
        {
            _labels = new int[output.Rows];
            _rowLosses = new T[output.Rows];
        }

        for (int i = 0; i < output.Rows; i++)
        {
            _labels[i] = ClassIndex(target[i, 0], output.Cols, i);   // all checked before any row is computed
        }

        T safe = SafeExponent(output.Cols);
        var rows = (Output: output, P: p, Labels: _labels, RowLosses: _rowLosses!, Safe: safe);
        if (!CoreSplit.TryRun(output.Rows, Math.Max(2, SplitElements / Math.Max(1, output.Cols)), rows,
                static (job, start, length) => Rows(job.Output, job.P, job.Labels, job.RowLosses, job.Safe, start, start + length), align: 1))
        {
            Rows(output, p, _labels, _rowLosses!, safe, 0, output.Rows);
        }

        T total = T.Zero;
        foreach (T rowLoss in _rowLosses!)
        {
            total += rowLoss;   // in row order, whichever thread computed each row
        }

        _probabilities = p;
        _target = target;
        return total / T.CreateChecked(output.Rows);
    }

    /// <summary>Batches of at least this many logits are split between cores by rows. The MNIST batch's 60 × 10 softmax
    /// and log-sum-exp (2.1 µs on one core here in float) stay on the caller: split, they took 3.6 µs in the training step.</summary>
    internal const int SplitElements = 8192;

    /// <summary>Rows [r0, r1): the softmax into <paramref name="p"/> and each row's −log p[label] =
    /// log Σ exp(z − max) + max − z[label] into <paramref name="rowLosses"/>.</summary>
    private static void Rows(Matrix<T> output, Matrix<T> p, int[] labels, T[] rowLosses, T safe, int r0, int r1)
    {
        if (typeof(T) == typeof(float))
        {
            RowsFloat(output, p, labels, rowLosses, r0, r1);
            return;
        }

        for (int i = r0; i < r1; i++)
        {
            ReadOnlySpan<T> z = output.StorageRow(i);
            T max = Elementwise.Max(z);
            Softmax(z, max, safe, p.StorageRow(i));
            T logSum = T.Zero;
            for (int c = 0; c < z.Length; c++)
            {
                logSum += T.Exp(z[c] - max);
            }

            rowLosses[i] = T.Log(logSum) + max - z[labels[i]];
        }
    }

    /// <summary>Rows [r0, r1) in float: every row shifted by its maximum, the exponentials of the whole block in one
    /// vector pass (<see cref="Elementwise.Exp"/>, the library's float exponential), then per row s = Σ_c e^(z_c − max)
    /// in class order, softmax = e^(z_c − max)·(1/s) and −log p[label] = log s + max − z[label]. (The per-row
    /// TensorPrimitives.SoftMax and scalar exponentials of the double path took 5.5 µs for the MNIST batch's 60 × 10 on
    /// one core here.)</summary>
    private static void RowsFloat(Matrix<T> output, Matrix<T> p, int[] labels, T[] rowLosses, int r0, int r1)
    {
        int classes = output.Cols;
        Span<float> z = Elementwise.Reinterpret<T, float>(output.Storage.AsSpan(r0 * classes, (r1 - r0) * classes));
        Span<float> e = Elementwise.Reinterpret<T, float>(p.Storage.AsSpan(r0 * classes, (r1 - r0) * classes));
        Span<float> maxima = Elementwise.Reinterpret<T, float>(rowLosses.AsSpan(r0, r1 - r0));
        for (int i = 0; i < r1 - r0; i++)
        {
            var zi = z.Slice(i * classes, classes);
            float max = Elementwise.Max<float>(zi);
            maxima[i] = max;
            var ei = e.Slice(i * classes, classes);
            for (int c = 0; c < classes; c++)
            {
                ei[c] = zi[c] - max;
            }
        }

        Elementwise.Exp(e, e);
        for (int i = 0; i < r1 - r0; i++)
        {
            var ei = e.Slice(i * classes, classes);
            float sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += ei[c];
            }

            Elementwise.Multiply<float>(ei, 1 / sum, ei);
            maxima[i] = MathF.Log(sum) + maxima[i] - z[(i * classes) + labels[r0 + i]];
        }
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

    /// <summary>softmax(z) into <paramref name="destination"/>: TensorPrimitives.SoftMax (e^z_c / Σ e^z, no shift) while
    /// no e^z_c can overflow — the bits every stored run was computed with — and e^(z_c − max) / Σ e^(z − max) above
    /// that (a float logit above about 88 would otherwise give ∞/∞ = NaN). <paramref name="safe"/> is
    /// <see cref="SafeExponent"/> of the class count, computed once per batch.</summary>
    private static void Softmax(ReadOnlySpan<T> z, T max, T safe, Span<T> destination)
    {
        if (max <= safe)
        {
            TensorPrimitives.SoftMax(z, destination);
            return;
        }

        T sum = T.Zero;
        for (int c = 0; c < z.Length; c++)
        {
            destination[c] = T.Exp(z[c] - max);
            sum += destination[c];
        }

        Elementwise.Multiply<T>(destination, T.One / sum, destination);
    }

    /// <summary>The largest logit whose unshifted exponentials, summed over <paramref name="classes"/> classes, stay
    /// finite (with 1/16 for rounding): ln(largest finite value) − ln(classes) − 1/16, about 86.4 for ten float classes
    /// and 707.4 in double. Below it the unshifted softmax is right, so its bits are kept; above it the sum overflowed
    /// (every probability 0, or ∞/∞ = NaN).</summary>
    private static T SafeExponent(int classes) =>
        T.Log(T.BitDecrement(T.PositiveInfinity)) - T.Log(T.CreateChecked(classes)) - T.CreateChecked(0.0625);

    private static int ClassIndex(T value, int classes, int row)
    {
        if (!T.IsInteger(value) || value < T.Zero || value >= T.CreateChecked(classes))
        {
            throw new ArgumentException($"Softmax cross-entropy needs integer class indices in 0…{classes - 1}, but target row {row} is {value}.", "target");
        }

        return int.CreateTruncating(value);
    }
}
