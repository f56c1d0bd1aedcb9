using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>A loss averaged over the batch: <see cref="Forward"/> returns the scalar, <see cref="Backward"/> ∂loss/∂output.</summary>
public interface ILoss<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Name for printing.</summary>
    string Name { get; }

    /// <summary>The mean loss of <paramref name="output"/> (batch, k) against <paramref name="target"/>; keeps what backward needs.</summary>
    T Forward(Matrix<T> output, Matrix<T> target);

    /// <summary>∂loss/∂output for the last forward, shape of the output.</summary>
    Matrix<T> Backward();

    /// <summary>Like <see cref="Backward"/> but into a matrix the loss owns, valid until its next backward (no allocation
    /// in steady state where the loss supports it; by default the same as <see cref="Backward"/>). Used by <see cref="Trainer"/>.</summary>
    Matrix<T> BackwardBuffered() => Backward();
}
