using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// A learnable tensor and its gradient, e.g. a Linear weight (in, out) or a batch-norm γ (features).
/// Optimizers read <see cref="Grad"/> and update <see cref="Value"/> in place; both have the same length.
/// </summary>
/// <remarks>Running mean and running variance are not parameters: the optimizer never sees them
/// (notebooks/05-moving-averages-inference).</remarks>
public sealed class Parameter<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Creates a parameter named <paramref name="name"/> holding <paramref name="value"/> (not copied).</summary>
    public Parameter(string name, T[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        Grad = new T[value.Length];
    }

    /// <summary>Name for printing, e.g. "bn1.gamma".</summary>
    public string Name { get; }

    /// <summary>The values, updated in place by optimizers.</summary>
    public T[] Value { get; }

    /// <summary>∂loss/∂value, filled by the owning layer's backward.</summary>
    public T[] Grad { get; }

    /// <summary>Sets <see cref="Grad"/> to zero.</summary>
    public void ZeroGrad() => Grad.AsSpan().Clear();

    /// <summary>The name and the number of elements, e.g. "bn1.gamma [100]" (a weight (in, out) is stored flat).</summary>
    public override string ToString() => $"{Name} [{Value.Length}]";
}
