using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks.Optimizers;

/// <summary>
/// Adam: momentum on the gradient (first moment m) divided by the root of a moving average of its square
/// (second moment v), both bias-corrected; coupled L2 weight decay and AMSGrad as options; matches
/// <c>torch.optim.Adam</c> (PyTorch 1.13).
/// </summary>
/// <remarks>
/// The update, as in PyTorch's documentation (γ lr, β₁ β₂ betas, λ weight decay):
/// <code>
/// initialize: m_0 ← 0 (first moment), v_0 ← 0 (second moment), v̂_0^max ← 0
/// for t = 1 to …
///     g_t ← ∇θ f_t(θ_{t−1})
///     if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
///     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
///     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
///     m̂_t ← m_t / (1 − β₁^t)
///     v̂_t ← v_t / (1 − β₂^t)
///     if amsgrad:
///         v̂_t^max ← max(v̂_t^max, v̂_t)
///         θ_t ← θ_{t−1} − γ m̂_t / (√v̂_t^max + ε)
///     else:
///         θ_t ← θ_{t−1} − γ m̂_t / (√v̂_t + ε)
/// </code>
/// AMSGrad as PyTorch 1.13's code does it (its pseudocode differs): the running maximum is kept of the raw v_t,
/// and divided by the current √(1 − β₂^t), i.e. the denominator is √max(v_1…v_t) / √(1 − β₂^t) + ε.
/// With <c>biasCorrection: false</c> (not a PyTorch option; for the notebook's demo) m̂ = m and v̂ = v, so the
/// first step is γ(1 − β₁)/√(1 − β₂) ≈ 3.16γ instead of γ. β₁, β₂ are weights of the old averages. ε is outside
/// the root. Taught in notebooks/06-optimizers.
/// </remarks>
public class Adam<T> : Optimizer<T> where T : IFloatingPointIeee754<T>
{
    private readonly T[][] _firstMoments;
    private readonly T[][] _secondMoments;
    private readonly T[][] _maxSecondMoments;

    /// <summary>Creates Adam over <paramref name="parameters"/>; defaults as PyTorch's.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">γ &gt; 0 (default 1e-3).</param>
    /// <param name="beta1">β₁ in [0, 1), the weight of the old first moment (default 0.9).</param>
    /// <param name="beta2">β₂ in [0, 1), the weight of the old second moment (default 0.999).</param>
    /// <param name="epsilon">ε ≥ 0, added to the root (default 1e-8).</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2: adds λθ to the gradient before the moments (for decoupled
    /// decay use <see cref="AdamW{T}"/>).</param>
    /// <param name="amsgrad">Divide by the running maximum of the second moment.</param>
    /// <param name="biasCorrection">Divide the moments by 1 − β^t (default, as PyTorch); false for the demo.</param>
    public Adam(IReadOnlyList<Parameter<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, bool amsgrad = false, bool biasCorrection = true)
        : this(parameters, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, biasCorrection, decoupledWeightDecay: false)
    {
    }

    private protected Adam(IReadOnlyList<Parameter<T>> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool amsgrad, bool biasCorrection, bool decoupledWeightDecay)
        : base(parameters, learningRate)
    {
        Beta1 = RequireUnitInterval(beta1, nameof(beta1));
        Beta2 = RequireUnitInterval(beta2, nameof(beta2));
        Epsilon = RequireNonNegative(epsilon, nameof(epsilon));
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
        Amsgrad = amsgrad;
        BiasCorrection = biasCorrection;
        DecoupledWeightDecay = decoupledWeightDecay;
        _firstMoments = NewState(T.Zero);
        _secondMoments = NewState(T.Zero);
        _maxSecondMoments = NewState(T.Zero);
    }

    /// <summary>β₁, the weight of the old first moment.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the weight of the old second moment.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to the root of the second moment.</summary>
    public double Epsilon { get; }

    /// <summary>λ: coupled L2 (added to g) for <see cref="Adam{T}"/>, decoupled (θ ← θ − γλθ) for <see cref="AdamW{T}"/>.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the denominator uses the running maximum of v.</summary>
    public bool Amsgrad { get; }

    /// <summary>Whether the moments are divided by 1 − β^t.</summary>
    public bool BiasCorrection { get; }

    /// <summary>True for <see cref="AdamW{T}"/>: weight decay shrinks θ directly instead of adding to g.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <summary>m, the moving average of gradients of <paramref name="parameter"/> (not bias-corrected).</summary>
    public IReadOnlyList<T> FirstMoment(Parameter<T> parameter) => _firstMoments[IndexOf(parameter)];

    /// <summary>v, the moving average of squared gradients of <paramref name="parameter"/> (not bias-corrected).</summary>
    public IReadOnlyList<T> SecondMoment(Parameter<T> parameter) => _secondMoments[IndexOf(parameter)];

    /// <summary>max(v_1 … v_t), AMSGrad's running maximum (zeros unless <see cref="Amsgrad"/>).</summary>
    public IReadOnlyList<T> MaxSecondMoment(Parameter<T> parameter) => _maxSecondMoments[IndexOf(parameter)];

    /// <inheritdoc/>
    /// <remarks>One iteration of the loop in the class remarks, element by element: θ ← θ − (γ / (1 − β₁^t))·m /
    /// (√v / √(1 − β₂^t) + ε), which is γ m̂ / (√v̂ + ε) rearranged (v replaced by max(v_1…v_t) with AMSGrad).
    /// With <see cref="DecoupledWeightDecay"/> (AdamW) θ is first multiplied by 1 − γλ and λθ is not added to g.
    /// Sealed, so AdamW differs from Adam only in that flag.</remarks>
    protected sealed override void Update(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        int t = StepCount;
        double biasCorrection1 = BiasCorrection ? 1 - Math.Pow(Beta1, t) : 1;
        double biasCorrection2 = BiasCorrection ? 1 - Math.Pow(Beta2, t) : 1;
        T stepSize = Scalar(LearningRate / biasCorrection1), sqrtBiasCorrection2 = Scalar(Math.Sqrt(biasCorrection2));
        T beta1 = Scalar(Beta1), beta2 = Scalar(Beta2), eps = Scalar(Epsilon), lambda = Scalar(WeightDecay);
        T oneMinusBeta1 = Scalar(1 - Beta1), oneMinusBeta2 = Scalar(1 - Beta2);
        Span<T> m = _firstMoments[index], v = _secondMoments[index], vMax = _maxSecondMoments[index];

        if (DecoupledWeightDecay)
        {
            TensorPrimitives.Multiply(theta, Scalar(1 - (LearningRate * WeightDecay)), theta); // θ ← θ − γλθ
        }

        for (int i = 0; i < theta.Length; i++)
        {
            T g = grad[i];
            if (!DecoupledWeightDecay && WeightDecay != 0)
            {
                g += lambda * theta[i];
            }

            m[i] = (beta1 * m[i]) + (oneMinusBeta1 * g);
            v[i] = (beta2 * v[i]) + (oneMinusBeta2 * g * g);
            if (Amsgrad)
            {
                vMax[i] = T.Max(vMax[i], v[i]);
            }

            T denominator = (T.Sqrt(Amsgrad ? vMax[i] : v[i]) / sqrtBiasCorrection2) + eps;
            theta[i] -= stepSize * (m[i] / denominator);
        }
    }
}
