using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// A layer with a forward and a backward pass over (batch, features) matrices.
/// <see cref="Forward"/> keeps what backward needs; <see cref="Backward"/> takes ∂loss/∂output of the last forward,
/// writes the parameters' <see cref="Parameter{T}.Grad"/> (overwriting, not accumulating) and returns ∂loss/∂input.
/// </summary>
/// <remarks>
/// Two ways to call a layer. <see cref="Forward"/> and <see cref="Backward"/> return fresh matrices the caller may
/// keep (what a notebook cell does). <see cref="ForwardBuffered"/> and <see cref="BackwardBuffered"/> return
/// matrices the layer owns and overwrites on its next call of the same kind: no allocation once the batch shape is
/// steady (what <see cref="Sequential{T}"/> and <see cref="Trainer"/> do on every step). Both kinds save the same
/// state, so either backward may follow either forward. After <see cref="Forward"/> the library's layers keep x by
/// reference under its version stamp, as PyTorch does: assigning an element of x before the backward makes Backward
/// throw, and once x's storage is handed out (<see cref="Matrix{T}.Data"/>, <see cref="Matrix{T}.Row"/>) they copy it
/// first, so changing x never silently changes the gradients; after <see cref="ForwardBuffered"/> they hold x itself
/// unchecked (the training path), so there x must stay unchanged until the backward. A Forward that throws
/// leaves the layer without a forward, so the next Backward throws instead of reusing an older batch.
/// </remarks>
public interface ILayer<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Short name for printing, e.g. "BatchNorm1d(100)".</summary>
    string Name { get; }

    /// <summary>Training mode (true, the default) or evaluation mode; only batch norm behaves differently.</summary>
    bool Training { get; set; }

    /// <summary>The learnable parameters, empty for activations.</summary>
    IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>Forward pass: x of shape (batch, in) → y of shape (batch, out), a new matrix.</summary>
    Matrix<T> Forward(Matrix<T> x);

    /// <summary>Backward pass of the last forward: dy of shape (batch, out) → dx of shape (batch, in), a new matrix.</summary>
    Matrix<T> Backward(Matrix<T> dy);

    /// <summary>Forward into a matrix the layer owns: valid until this layer's next forward; do not modify it, nor
    /// <paramref name="x"/> before the backward (the layer may keep a reference to it).
    /// Allocation-free in steady state for the library's layers; by default the same as <see cref="Forward"/>.</summary>
    Matrix<T> ForwardBuffered(Matrix<T> x) => Forward(x);

    /// <summary>Backward into a matrix the layer owns: valid until this layer's next backward.</summary>
    /// <param name="dy">∂loss/∂output, shape (batch, out).</param>
    /// <param name="needInputGradient">False when nobody uses ∂loss/∂x (the first layer of a network): a layer may
    /// then skip computing it and return an unspecified matrix of the right shape. Parameter gradients are always written.</param>
    Matrix<T> BackwardBuffered(Matrix<T> dy, bool needInputGradient = true) => Backward(dy);
}
