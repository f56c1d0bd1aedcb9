using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// Binary cross-entropy on probabilities: output p (batch, 1) from a sigmoid, target y (batch, 1) in {0, 1} (or [0, 1]); a value outside [0, 1] in either throws an ArgumentException naming its row.
/// loss = −(1/m) Σ [y·log p + (1 − y)·log(1 − p)]; ∂loss/∂p = (p − y)/(p·(1 − p))/m.
/// </summary>
/// <remarks>The lecture's "placed or not" neuron a11 = σ(z11) is trained with it (notebooks/01-backprop-recap).
/// p is clamped to [1e-12, 1 − 1e-12] (1e-6 in float32) so a saturated sigmoid gives a large finite loss, not ∞.</remarks>
public sealed class BinaryCrossEntropy<T> : ILoss<T> where T : IFloatingPointIeee754<T>
{
    private Matrix<T>? _p;
    private Matrix<T>? _y;

    /// <inheritdoc/>
    public string Name => "Binary cross-entropy";

    /// <summary>−(1/N) Σ [y·log p + (1 − y)·log(1 − p)] over all N elements of <paramref name="output"/> (p, batch × 1,
    /// clamped away from 0 and 1) and <paramref name="target"/> (y, same shape); keeps the clamped p and y for
    /// <see cref="Backward"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ, or a p or y lies outside [0, 1] (the message names its row).</exception>
    public T Forward(Matrix<T> output, Matrix<T> target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        output.EnsureSameShape(target, "Binary cross-entropy: target must have the output's shape", nameof(target));
        T lo = T.CreateChecked(typeof(T) == typeof(float) ? 1e-6 : 1e-12);
        var p = new Matrix<T>(output.Rows, output.Cols);
        T total = T.Zero;
        for (int k = 0; k < p.Storage.Length; k++)
        {
            T pk = output.Storage[k];
            if (!(pk >= T.Zero && pk <= T.One))
            {
                throw new ArgumentException($"Binary cross-entropy needs probabilities in [0, 1], but output row {k / p.Cols}, column {k % p.Cols} is {pk}. Put a Sigmoid before it.", nameof(output));
            }

            T y = target.Storage[k];
            if (!(y >= T.Zero && y <= T.One))
            {
                throw new ArgumentException($"Binary cross-entropy needs targets in [0, 1] (a label 0 or 1, or a probability), but target row {k / p.Cols}, column {k % p.Cols} is {y}.", nameof(target));
            }

            pk = T.Clamp(pk, lo, T.One - lo);
            p.Storage[k] = pk;
            total -= (y * T.Log(pk)) + ((T.One - y) * T.Log(T.One - pk));
        }

        GC.KeepAlive(output);   // output's storage may be pooled: it stays output's until the loop is done
        _p = p;
        _y = target;
        return total / T.CreateChecked(p.Storage.Length);
    }

    /// <summary>∂loss/∂p = (p − y) / (p·(1 − p)) / N for the last forward, shape of the output; with the clamped p,
    /// so a saturated sigmoid gives a large finite gradient.</summary>
    /// <exception cref="InvalidOperationException">No forward yet.</exception>
    public Matrix<T> Backward()
    {
        if (_p is null || _y is null)
        {
            throw new InvalidOperationException("Backward needs a Forward first.");
        }

        var d = Matrix<T>.Uninitialized(_p.Rows, _p.Cols);   // every element written below
        T n = T.CreateChecked(d.Storage.Length);
        for (int k = 0; k < d.Storage.Length; k++)
        {
            T p = _p.Storage[k];
            d.Storage[k] = (p - _y.Storage[k]) / (p * (T.One - p)) / n;
        }

        return d;
    }
}
