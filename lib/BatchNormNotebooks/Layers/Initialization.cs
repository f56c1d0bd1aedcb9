using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// Re-initialises the weights of a <see cref="Linear{T}"/> after construction. <see cref="Linear{T}"/> draws W and b
/// uniform in [−1/√in, 1/√in] (PyTorch's default); with sigmoid units that is small, and a deep sigmoid network
/// without batch norm starts with a collapsed signal. Glorot &amp; Bengio (2010, "Understanding the difficulty of
/// training deep feedforward neural networks") scale the weights to keep the variance of activations and gradients
/// roughly constant from layer to layer. Used in notebooks/02-internal-covariate-shift for the fairly initialised
/// baseline without batch norm.
/// </summary>
public static class Initialization
{
    /// <summary>
    /// Glorot ("Xavier") uniform initialisation, as PyTorch's <c>xavier_uniform_</c>: every W[k, o] is drawn from
    /// U(−a, a) with a = gain·√(6 / (in + out)), so Var(W) = gain²·2 / (in + out); the bias, if any, is set to 0.
    /// </summary>
    /// <param name="layer">The layer whose <see cref="Linear{T}.Weight"/> (shape (in, out)) is overwritten in place.</param>
    /// <param name="random">Source of the new weights (seeded, so runs repeat).</param>
    /// <param name="gain">Scale factor, &gt; 0; 1 as in PyTorch's <c>calculate_gain("sigmoid")</c>.</param>
    /// <returns>The same layer, for use inside a collection expression.</returns>
    public static Linear<T> Glorot<T>(Linear<T> layer, SeededRandom random, double gain = 1.0)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(random);
        if (!(gain > 0) || !double.IsFinite(gain))
        {
            throw new ArgumentOutOfRangeException(nameof(gain), gain, "The gain of a Glorot initialisation must be a positive finite number.");
        }

        double bound = gain * Math.Sqrt(6.0 / (layer.InFeatures + layer.OutFeatures));
        T[] w = layer.Weight.Value;
        for (int k = 0; k < w.Length; k++)
        {
            w[k] = T.CreateChecked(random.NextUniform(-bound, bound));
        }

        layer.Bias?.Value.AsSpan().Clear();
        return layer;
    }
}
