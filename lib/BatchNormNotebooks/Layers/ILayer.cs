using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// A layer with a forward and a backward pass over (batch, features) matrices.
/// <see cref="Forward"/> keeps what backward needs; <see cref="Backward"/> takes ∂loss/∂output of the last forward,
/// writes the parameters' <see cref="Parameter{T}.Grad"/> (overwriting, not accumulating) and returns ∂loss/∂input.
/// </summary>
public interface ILayer<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Short name for printing, e.g. "BatchNorm1d(100)".</summary>
    string Name { get; }

    /// <summary>Training mode (true, the default) or evaluation mode; only batch norm behaves differently.</summary>
    bool Training { get; set; }

    /// <summary>The learnable parameters, empty for activations.</summary>
    IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>Forward pass: x of shape (batch, in) → y of shape (batch, out).</summary>
    Matrix<T> Forward(Matrix<T> x);

    /// <summary>Backward pass of the last forward: dy of shape (batch, out) → dx of shape (batch, in).</summary>
    Matrix<T> Backward(Matrix<T> dy);
}
