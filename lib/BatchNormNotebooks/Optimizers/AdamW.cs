using System.Numerics;

namespace BatchNormNotebooks.Optimizers;

/// <summary>
/// AdamW: Adam with decoupled weight decay — θ shrinks by γλθ before the Adam step instead of λθ being added to the
/// gradient (where Adam's division by √v̂ would rescale it per coordinate); matches <c>torch.optim.AdamW</c>.
/// </summary>
/// <remarks>
/// The update, as in PyTorch's documentation (γ lr, β₁ β₂ betas, λ weight decay):
/// <code>
/// initialize: m_0 ← 0 (first moment), v_0 ← 0 (second moment), v̂_0^max ← 0
/// for t = 1 to …
///     g_t ← ∇θ f_t(θ_{t−1})
///     θ_t ← θ_{t−1} − γ λ θ_{t−1}
///     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
///     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
///     m̂_t ← m_t / (1 − β₁^t)
///     v̂_t ← v_t / (1 − β₂^t)
///     if amsgrad:
///         v̂_t^max ← max(v̂_t^max, v̂_t)
///         θ_t ← θ_t − γ m̂_t / (√v̂_t^max + ε)
///     else:
///         θ_t ← θ_t − γ m̂_t / (√v̂_t + ε)
/// </code>
/// Everything but the weight decay is <see cref="Adam{T}"/>'s step (including its AMSGrad and bias-correction
/// notes). PyTorch's default λ is 1e-2 here, 0 for Adam. Taught in notebooks/06-optimizers.
/// </remarks>
public sealed class AdamW<T> : Adam<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Creates AdamW over <paramref name="parameters"/>; defaults as PyTorch's.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">γ &gt; 0 (default 1e-3).</param>
    /// <param name="beta1">β₁ in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂ in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ ≥ 0, decoupled: θ ← θ − γλθ each step (default 1e-2).</param>
    /// <param name="amsgrad">Divide by the running maximum of the second moment.</param>
    /// <param name="biasCorrection">Divide the moments by 1 − β^t (default, as PyTorch).</param>
    public AdamW(IReadOnlyList<Parameter<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 1e-2, bool amsgrad = false, bool biasCorrection = true)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, biasCorrection, decoupledWeightDecay: true)
    {
    }
}
