using System.Numerics;

namespace BatchNormNotebooks.Optimizers;

/// <summary>
/// Adagrad: each coordinate's step is divided by the root of the sum of all its past squared gradients, so
/// often-large coordinates slow down; matches <c>torch.optim.Adagrad</c>.
/// </summary>
/// <remarks>
/// The update, as in PyTorch's documentation (γ lr, λ weight decay, τ initial accumulator value, η lr decay):
/// <code>
/// initialize: state_sum_0 ← τ
/// for t = 1 to …
///     g_t ← ∇θ f_t(θ_{t−1})
///     γ̃ ← γ / (1 + (t − 1) η)
///     if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
///     state_sum_t ← state_sum_{t−1} + g_t²
///     θ_t ← θ_{t−1} − γ̃ g_t / (√state_sum_t + ε)
/// </code>
/// (PyTorch's pseudocode writes state_sum_0 ← 0; its code starts the sum at τ, as here.) ε is outside the root.
/// The sum only grows, so the effective step only shrinks. Taught in notebooks/06-optimizers.
/// </remarks>
public sealed class Adagrad<T> : Optimizer<T> where T : IFloatingPointIeee754<T>
{
    private readonly T[][] _sums;

    /// <summary>Creates Adagrad over <paramref name="parameters"/>; defaults as PyTorch's.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">γ &gt; 0 (PyTorch default 1e-2).</param>
    /// <param name="learningRateDecay">η ≥ 0: step t uses γ / (1 + (t − 1)η).</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2.</param>
    /// <param name="initialAccumulatorValue">τ ≥ 0, the starting value of every state_sum.</param>
    /// <param name="epsilon">ε ≥ 0, added to the root (PyTorch default 1e-10).</param>
    public Adagrad(IReadOnlyList<Parameter<T>> parameters, double learningRate = 1e-2, double learningRateDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double epsilon = 1e-10)
        : base(parameters, learningRate)
    {
        LearningRateDecay = RequireNonNegative(learningRateDecay, nameof(learningRateDecay));
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
        InitialAccumulatorValue = RequireNonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Epsilon = RequireNonNegative(epsilon, nameof(epsilon));
        _sums = NewState(Scalar(initialAccumulatorValue));
    }

    /// <summary>η, the learning-rate decay.</summary>
    public double LearningRateDecay { get; }

    /// <summary>λ, coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>τ, the initial value of the accumulated squared gradients.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε, added to √state_sum.</summary>
    public double Epsilon { get; }

    /// <summary>state_sum = τ + Σ g², the accumulated squared gradients of <paramref name="parameter"/>.</summary>
    public IReadOnlyList<T> SumOfSquares(Parameter<T> parameter) => _sums[IndexOf(parameter)];

    /// <inheritdoc/>
    /// <remarks>One iteration of the loop in the class remarks, element by element: state_sum += g², then
    /// θ −= γ̃ g / (√state_sum + ε) with γ̃ = γ / (1 + (t − 1)η).</remarks>
    protected override void Update(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        T lr = Scalar(LearningRate / (1 + ((StepCount - 1) * LearningRateDecay)));
        T lambda = Scalar(WeightDecay), eps = Scalar(Epsilon);
        Span<T> sum = _sums[index];
        for (int i = 0; i < theta.Length; i++)
        {
            T g = grad[i];
            if (WeightDecay != 0)
            {
                g += lambda * theta[i];
            }

            sum[i] += g * g;
            theta[i] -= lr * (g / (T.Sqrt(sum[i]) + eps));
        }
    }
}
