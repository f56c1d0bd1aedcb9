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

    /// <summary>
    /// Gaussian initialisation, as PyTorch's <c>normal_(0, std)</c> on the weight: every W[k, o] is drawn from
    /// N(0, std²) in row-major order of W (shape (in, out)); the bias, if any, is set to 0. The weights drawn from
    /// <paramref name="random"/> do not depend on whether the layer has a bias, so a network with and one without
    /// biases built from the same seed start from equal weights.
    /// </summary>
    /// <param name="layer">The layer whose <see cref="Linear{T}.Weight"/> is overwritten in place.</param>
    /// <param name="random">Source of the new weights (seeded, so runs repeat).</param>
    /// <param name="std">Standard deviation σ ≥ 0 of the weights, e.g. gain/√in.</param>
    /// <returns>The same layer, for use inside a collection expression.</returns>
    public static Linear<T> Normal<T>(Linear<T> layer, SeededRandom random, double std)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(random);
        if (!(std >= 0) || !double.IsFinite(std))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation of a normal initialisation must be a finite number ≥ 0.");
        }

        T[] w = layer.Weight.Value;
        for (int k = 0; k < w.Length; k++)
        {
            w[k] = T.CreateChecked(random.NextNormal(0, std));
        }

        layer.Bias?.Value.AsSpan().Clear();
        return layer;
    }

    /// <summary>A new <see cref="Linear{T}"/> (shape (in, out)) with weights from N(0, std²) and a zero bias (if any),
    /// see <see cref="Normal{T}(Linear{T}, SeededRandom, double)"/>. The layer's own uniform draw comes from a throwaway
    /// generator, so only the normal weights consume <paramref name="random"/>.</summary>
    public static Linear<T> NormalLinear<T>(int inputs, int outputs, SeededRandom random, double std, bool bias = true, string name = "linear")
        where T : IFloatingPointIeee754<T> =>
        Normal(new Linear<T>(inputs, outputs, new SeededRandom(0), bias, name), random, std);
}
