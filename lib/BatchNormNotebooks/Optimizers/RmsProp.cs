using System.Numerics;

namespace BatchNormNotebooks.Optimizers;

/// <summary>
/// RMSprop: divides each step by the root of an exponential moving average of squared gradients (Adagrad that
/// forgets); optional momentum and centering; matches <c>torch.optim.RMSprop</c>.
/// </summary>
/// <remarks>
/// The update, as in PyTorch's documentation (α smoothing constant, γ lr, λ weight decay, μ momentum):
/// <code>
/// initialize: v_0 ← 0 (square average), b_0 ← 0 (buffer), g^ave_0 ← 0
/// for t = 1 to …
///     g_t ← ∇θ f_t(θ_{t−1})
///     if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
///     v_t ← α v_{t−1} + (1 − α) g_t²
///     ṽ_t ← v_t
///     if centered:
///         g^ave_t ← g^ave_{t−1} α + (1 − α) g_t
///         ṽ_t ← ṽ_t − (g^ave_t)²
///     if μ > 0:
///         b_t ← μ b_{t−1} + g_t / (√ṽ_t + ε)
///         θ_t ← θ_{t−1} − γ b_t
///     else:
///         θ_t ← θ_{t−1} − γ g_t / (√ṽ_t + ε)
/// </code>
/// Convention: α is the weight of the old average (0.99), ε is added outside the square root (TensorFlow and Keras
/// put it inside), and v is not bias-corrected, so the first steps are about 1/√(1 − α) = 10 times γ.
/// Taught in notebooks/06-optimizers.
/// </remarks>
public sealed class RmsProp<T> : Optimizer<T> where T : IFloatingPointIeee754<T>
{
    private readonly T[][] _squareAverages;
    private readonly T[][] _gradientAverages;
    private readonly T[][] _buffers;

    /// <summary>Creates RMSprop over <paramref name="parameters"/>; defaults as PyTorch's.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">γ &gt; 0 (PyTorch default 1e-2).</param>
    /// <param name="alpha">α in [0, 1), the weight of the old square average (default 0.99).</param>
    /// <param name="epsilon">ε ≥ 0, added to the root (default 1e-8).</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2.</param>
    /// <param name="momentum">μ in [0, 1); 0 turns momentum off.</param>
    /// <param name="centered">Divide by an estimate of the gradient's variance, v − (g^ave)², instead of v.</param>
    public RmsProp(IReadOnlyList<Parameter<T>> parameters, double learningRate = 1e-2, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(parameters, learningRate)
    {
        Alpha = RequireUnitInterval(alpha, nameof(alpha));
        Epsilon = RequireNonNegative(epsilon, nameof(epsilon));
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
        Momentum = RequireUnitInterval(momentum, nameof(momentum));
        Centered = centered;
        _squareAverages = NewState(T.Zero);
        _gradientAverages = NewState(T.Zero);
        _buffers = NewState(T.Zero);
    }

    /// <summary>α, the weight of the old square average.</summary>
    public double Alpha { get; }

    /// <summary>ε, added to √ṽ.</summary>
    public double Epsilon { get; }

    /// <summary>λ, coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>μ, the momentum of the buffer b.</summary>
    public double Momentum { get; }

    /// <summary>Whether the denominator uses v − (g^ave)².</summary>
    public bool Centered { get; }

    /// <summary>v, the moving average of squared gradients of <paramref name="parameter"/>.</summary>
    public IReadOnlyList<T> SquareAverage(Parameter<T> parameter) => _squareAverages[IndexOf(parameter)];

    /// <summary>g^ave, the moving average of gradients (zeros unless <see cref="Centered"/>).</summary>
    public IReadOnlyList<T> GradientAverage(Parameter<T> parameter) => _gradientAverages[IndexOf(parameter)];

    /// <summary>b, the momentum buffer (zeros unless <see cref="Momentum"/> &gt; 0).</summary>
    public IReadOnlyList<T> MomentumBuffer(Parameter<T> parameter) => _buffers[IndexOf(parameter)];

    /// <inheritdoc/>
    /// <remarks>One iteration of the loop in the class remarks, element by element, on this parameter's v, g^ave and
    /// b.</remarks>
    protected override void Update(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        T lr = Scalar(LearningRate), alpha = Scalar(Alpha), oneMinusAlpha = Scalar(1 - Alpha);
        T eps = Scalar(Epsilon), lambda = Scalar(WeightDecay), mu = Scalar(Momentum);
        Span<T> v = _squareAverages[index], gAve = _gradientAverages[index], b = _buffers[index];
        for (int i = 0; i < theta.Length; i++)
        {
            T g = grad[i];
            if (WeightDecay != 0)
            {
                g += lambda * theta[i];
            }

            v[i] = (alpha * v[i]) + (oneMinusAlpha * g * g);
            T vTilde = v[i];
            if (Centered)
            {
                gAve[i] = (alpha * gAve[i]) + (oneMinusAlpha * g);
                vTilde -= gAve[i] * gAve[i];
            }

            T denominator = T.Sqrt(vTilde) + eps;
            if (Momentum > 0)
            {
                b[i] = (mu * b[i]) + (g / denominator);
                theta[i] -= lr * b[i];
            }
            else
            {
                theta[i] -= lr * (g / denominator);
            }
        }
    }
}
