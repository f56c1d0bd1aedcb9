using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>Layers applied in order; backward runs them in reverse. Setting <see cref="Training"/> sets every layer.</summary>
public sealed class Sequential<T> : ILayer<T> where T : IFloatingPointIeee754<T>
{
    private bool _training = true;

    /// <summary>Chains <paramref name="layers"/>.</summary>
    public Sequential(params ILayer<T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Layers = layers;
        Parameters = [.. layers.SelectMany(l => l.Parameters)];
    }

    public string Name => string.Join(" → ", Layers.Select(l => l.Name));

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<ILayer<T>> Layers { get; }

    public IReadOnlyList<Parameter<T>> Parameters { get; }

    public bool Training
    {
        get => _training;
        set
        {
            _training = value;
            foreach (var layer in Layers)
            {
                layer.Training = value;
            }
        }
    }

    public Matrix<T> Forward(Matrix<T> x)
    {
        foreach (var layer in Layers)
        {
            x = layer.Forward(x);
        }

        return x;
    }

    /// <summary>Forward that also returns every layer's output (index k = output of layer k).</summary>
    public Matrix<T>[] ForwardAll(Matrix<T> x)
    {
        var outputs = new Matrix<T>[Layers.Count];
        for (int k = 0; k < Layers.Count; k++)
        {
            x = Layers[k].Forward(x);
            outputs[k] = x;
        }

        return outputs;
    }

    public Matrix<T> Backward(Matrix<T> dy)
    {
        for (int k = Layers.Count - 1; k >= 0; k--)
        {
            dy = Layers[k].Backward(dy);
        }

        return dy;
    }

    public override string ToString() => Name;
}
