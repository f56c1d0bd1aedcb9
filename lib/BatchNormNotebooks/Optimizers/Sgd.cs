using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BatchNormNotebooks.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum (heavy ball or Nesterov), dampening and coupled L2 weight
/// decay; matches <c>torch.optim.SGD</c>.
/// </summary>
/// <remarks>
/// The update, as in PyTorch's documentation (γ lr, λ weight decay, μ momentum, τ dampening):
/// <code>
/// for t = 1 to …
///     g_t ← ∇θ f_t(θ_{t−1})
///     if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
///     if μ ≠ 0:
///         if t > 1:  b_t ← μ b_{t−1} + (1 − τ) g_t
///         else:      b_t ← g_t
///         if nesterov:  g_t ← g_t + μ b_t
///         else:         g_t ← b_t
///     θ_t ← θ_{t−1} − γ g_t
/// </code>
/// Convention: μ is the weight of the old buffer (0.9 typical), and the first step sets the buffer to the gradient
/// itself (no (1 − τ) factor, no warm-up from zero). Some texts write v ← μv − γg, θ ← θ + v instead; with a
/// constant γ the two give the same θ. On a quadratic with curvature λ, heavy-ball momentum converges for
/// 0 &lt; γλ &lt; 2 + 2μ. Taught in notebooks/06-optimizers.
/// </remarks>
public sealed class Sgd<T> : Optimizer<T> where T : IFloatingPointIeee754<T>
{
    private readonly T[][] _buffers;

    /// <summary>Creates SGD over <paramref name="parameters"/>; defaults as PyTorch's (lr has none there).</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">γ &gt; 0.</param>
    /// <param name="momentum">μ in [0, 1); 0 turns momentum off.</param>
    /// <param name="dampening">τ in [0, 1]: the new gradient enters the buffer with weight 1 − τ (after step 1).</param>
    /// <param name="nesterov">Use g + μb instead of b; needs μ &gt; 0 and τ = 0, as in PyTorch.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2: adds λθ to the gradient.</param>
    public Sgd(IReadOnlyList<Parameter<T>> parameters, double learningRate, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        Momentum = RequireUnitInterval(momentum, nameof(momentum));
        Dampening = dampening is >= 0 and <= 1 ? dampening : throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "dampening must be in [0, 1].");
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires momentum > 0 and zero dampening.", nameof(nesterov));
        }

        Nesterov = nesterov;
        _buffers = NewState(T.Zero);
    }

    /// <summary>μ, the weight of the previous buffer.</summary>
    public double Momentum { get; }

    /// <summary>τ: the gradient enters the buffer with weight 1 − τ.</summary>
    public double Dampening { get; }

    /// <summary>Whether the step uses the look-ahead g + μb.</summary>
    public bool Nesterov { get; }

    /// <summary>λ, coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>b, the momentum buffer of <paramref name="parameter"/> (zeros before the first step or without momentum).</summary>
    public IReadOnlyList<T> MomentumBuffer(Parameter<T> parameter) => _buffers[IndexOf(parameter)];

    /// <inheritdoc/>
    /// <remarks>One iteration of the loop in the class remarks, element by element; on step t = 1 the buffer b is set
    /// to g itself.</remarks>
    protected override void Update(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        T lr = Scalar(LearningRate), lambda = Scalar(WeightDecay), mu = Scalar(Momentum), oneMinusTau = Scalar(1 - Dampening);
        if (WeightDecay == 0 && Momentum == 0)
        {
            PlainStep(grad, -lr, theta);   // plain SGD, vectorized: θ ← θ − γg
            return;
        }

        Span<T> b = _buffers[index];
        bool first = StepCount == 1;
        for (int i = 0; i < theta.Length; i++)
        {
            T g = grad[i];
            if (WeightDecay != 0)
            {
                g += lambda * theta[i];
            }

            if (Momentum != 0)
            {
                b[i] = first ? g : (mu * b[i]) + (oneMinusTau * g);
                g = Nesterov ? g + (mu * b[i]) : b[i];
            }

            theta[i] -= lr * g;
        }
    }

    /// <summary>Parameters of at least this many elements are updated in parts on several cores (the MNIST MLP's
    /// 784 × 100 first weight matrix: about 13 µs of the step's 17 µs update on one core).</summary>
    internal const int SplitElements = 32768;

    /// <inheritdoc/>
    /// <remarks>Plain SGD (no momentum, no weight decay) with a parameter of <see cref="SplitElements"/> or more: the
    /// largest is split between cores, and the caller updates every parameter under SplitElements after its own part
    /// of it, while the workers finish theirs; any other large parameter is then split on its own. Each element gets
    /// the same one update as in <see cref="Update"/>, so the bits are those of the parameters one after the other. In
    /// the MNIST MLP's step the caller had waited for the worker's half of W₁ before the other ten parameters (probed with
    /// the worker polling 50 µs: a wait of 2.2–2.8 µs, the worker's half 6.4 µs against the caller's 3.9–4.4 µs). Alternating with the parameters one after the other in one
    /// process (40 rounds of 300 steps, two runs): the public-API step with BN 129.9 → 127.9 and 139.8 → 136.5 µs,
    /// faster in 32 and 36 rounds.</remarks>
    protected override void UpdateAll()
    {
        int largest = -1;
        if (WeightDecay == 0 && Momentum == 0)
        {
            for (int i = 0; i < Parameters.Count; i++)
            {
                int length = Parameters[i].Value.Length;
                if (length >= SplitElements && (largest < 0 || length > Parameters[largest].Value.Length))
                {
                    largest = i;
                }
            }
        }

        if (largest < 0 || !TrySplitStep(Parameters[largest].Grad, -Scalar(LearningRate), Parameters[largest].Value, besideSmall: this))
        {
            base.UpdateAll();
            return;
        }

        for (int i = 0; i < Parameters.Count; i++)
        {
            if (i != largest && Parameters[i].Value.Length >= SplitElements)
            {
                Update(i, Parameters[i].Value, Parameters[i].Grad);
            }
        }
    }

    /// <summary>θ ← g·(−γ) + θ, element by element (a product, then a sum: the bits of
    /// <see cref="Elementwise.MultiplyAdd{T}"/>), split between cores for large parameters.</summary>
    private static void PlainStep(ReadOnlySpan<T> grad, T minusLr, Span<T> theta)
    {
        if (!TrySplitStep(grad, minusLr, theta, besideSmall: null))
        {
            Elementwise.MultiplyAdd(grad, minusLr, theta, theta);
        }
    }

    /// <summary>The plain step of one parameter split between cores, with <paramref name="besideSmall"/>'s parameters
    /// under <see cref="SplitElements"/> stepped on the caller's thread beside the workers' parts (when not null);
    /// false, having run nothing, when the pass is not split.</summary>
    private static unsafe bool TrySplitStep(ReadOnlySpan<T> grad, T minusLr, Span<T> theta, Sgd<T>? besideSmall)
    {
        // The caller waits until every part is done, so the pinned addresses stay valid for every part.
        fixed (byte* g = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(grad)), t = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(theta)))
        {
            return CoreSplit.TryRun(theta.Length, SplitElements, (Grad: (nint)g, Theta: (nint)t, MinusLr: minusLr, Small: besideSmall),
                static (job, start, length) =>
                {
                    nint offset = start * (nint)Unsafe.SizeOf<T>();
                    var part = new Span<T>((void*)(job.Theta + offset), length);
                    Elementwise.MultiplyAdd(new ReadOnlySpan<T>((void*)(job.Grad + offset), length), job.MinusLr, part, part);
                },
                alongside: besideSmall is null ? null : static job =>
                {
                    var parameters = job.Small!.Parameters;
                    for (int i = 0; i < parameters.Count; i++)
                    {
                        if (parameters[i].Value.Length < SplitElements)
                        {
                            Elementwise.MultiplyAdd<T>(parameters[i].Grad, job.MinusLr, parameters[i].Value, parameters[i].Value);
                        }
                    }
                });
        }
    }
}
