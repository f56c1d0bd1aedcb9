using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// Builds a multilayer perceptron (MLP): inputs → [Linear(h) → (BatchNorm1d(h)) → activation] for each hidden width h
/// → Linear(outputs) → (output activation). Batch (rows) × features in and out, as every layer.
/// </summary>
/// <remarks>
/// Linear k (0-based, the output layer last) draws its weights from <c>layerRandom(k)</c>: return one shared stream
/// for every k (each layer then continues where the previous one stopped) or a new stream per layer (so a layer's
/// weights do not depend on the layers before it). With batch norm the hidden Linears have no bias: BN's β takes its
/// role, and the dropped bias draws nothing.
/// </remarks>
public static class MultilayerPerceptron
{
    /// <summary>The MLP described in the class summary.</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="hidden">The hidden widths, one per hidden layer (none: a single Linear).</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="activation">Makes the activation after each hidden layer, e.g. <c>() =&gt; new ReLU&lt;double&gt;()</c>.</param>
    /// <param name="layerRandom">The stream Linear k draws from (see remarks).</param>
    /// <param name="batchNorm">A BatchNorm1d between each hidden Linear and its activation.</param>
    /// <param name="outputActivation">A layer after the output Linear, e.g. a sigmoid; null for none (logits).</param>
    /// <param name="names">The Linears' names, one per Linear (hidden ones first); null keeps the default name.</param>
    public static Sequential<T> Build<T>(int inputs, IReadOnlyList<int> hidden, int outputs, Func<ILayer<T>> activation,
        Func<int, SeededRandom> layerRandom, bool batchNorm = false, ILayer<T>? outputActivation = null, IReadOnlyList<string>? names = null)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(layerRandom);
        if (hidden.Any(h => h <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(hidden), $"Every hidden width must be positive, not {string.Join(", ", hidden)}.");
        }

        if (names is not null && names.Count != hidden.Count + 1)
        {
            throw new ArgumentException($"Need one name per Linear ({hidden.Count + 1}), not {names.Count}.", nameof(names));
        }

        Linear<T> MakeLinear(int k, int fanIn, int fanOut, bool bias) => names is null
            ? new Linear<T>(fanIn, fanOut, layerRandom(k), bias: bias)
            : new Linear<T>(fanIn, fanOut, layerRandom(k), bias: bias, name: names[k]);

        var layers = new List<ILayer<T>>();
        int width = inputs;
        for (int k = 0; k < hidden.Count; width = hidden[k], k++)
        {
            layers.Add(MakeLinear(k, width, hidden[k], bias: !batchNorm));
            if (batchNorm)
            {
                layers.Add(new BatchNorm1d<T>(hidden[k]));
            }

            layers.Add(activation());
        }

        layers.Add(MakeLinear(hidden.Count, width, outputs, bias: true));
        if (outputActivation is not null)
        {
            layers.Add(outputActivation);
        }

        return new Sequential<T>([.. layers]);
    }
}
