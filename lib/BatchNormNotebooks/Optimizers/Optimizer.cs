using System.Numerics;

namespace BatchNormNotebooks.Optimizers;

/// <summary>
/// Base of every optimizer: owns a list of <see cref="Parameter{T}"/>, counts steps, and on <see cref="Step"/>
/// updates each parameter's <see cref="Parameter{T}.Value"/> in place from its <see cref="Parameter{T}.Grad"/>.
/// </summary>
/// <remarks>
/// Mirrors <c>torch.optim.Optimizer</c> with one parameter group and a constant learning rate (no schedulers).
/// An optimizer reads gradients and writes values of its own parameters only; it never changes a gradient
/// (weight decay is added to a local copy of g, as PyTorch does). Per-parameter state (momentum buffers, moments)
/// is allocated once in the constructor, so a step allocates nothing, and is exposed read-only for printing,
/// e.g. <c>adam.FirstMoment(layer.Weight)</c>. Hyperparameters are <see cref="double"/>, as PyTorch's are Python
/// floats. Taught in notebooks/06-optimizers.
/// </remarks>
public abstract class Optimizer<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Takes the parameters to optimize (the list is copied; the parameters are not).</summary>
    /// <param name="parameters">The parameters, each updated in place; at least one, no nulls, no duplicates.</param>
    /// <param name="learningRate">γ, the step size; must be positive.</param>
    protected Optimizer(IReadOnlyList<Parameter<T>> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0)
        {
            throw new ArgumentException("An optimizer needs at least one parameter.", nameof(parameters));
        }

        var list = new Parameter<T>[parameters.Count];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = parameters[i] ?? throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(list[j], list[i]))
                {
                    throw new ArgumentException($"Parameter '{list[i].Name}' appears twice (indices {j} and {i}).", nameof(parameters));
                }
            }
        }

        Parameters = list;
        LearningRate = RequirePositive(learningRate, nameof(learningRate));
    }

    /// <summary>The parameters this optimizer updates, in the order given.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>γ, the (constant) learning rate.</summary>
    public double LearningRate { get; }

    /// <summary>t, the number of steps taken so far (0 before the first <see cref="Step"/>; the update in
    /// <see cref="Update"/> sees t ≥ 1, as in PyTorch's pseudocode "for t = 1 to …").</summary>
    public int StepCount { get; private set; }

    /// <summary>Increments t and updates every parameter from its current gradient.</summary>
    public void Step()
    {
        StepCount++;
        UpdateAll();
    }

    /// <summary>Updates every parameter, as <see cref="Update"/> for each in turn; an optimizer may order or overlap the
    /// updates (each parameter's update depends on that parameter alone, so the results are the same).</summary>
    protected virtual void UpdateAll()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            Update(i, Parameters[i].Value, Parameters[i].Grad);
        }
    }

    /// <summary>Sets every parameter's gradient to zero (call before each backward pass).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters)
        {
            p.ZeroGrad();
        }
    }

    /// <summary>The optimizer's type, learning rate, step count and number of parameters, e.g.
    /// "Adam(lr=0.001, t=100, 4 parameters)".</summary>
    public override string ToString() => $"{GetType().Name.Split('`')[0]}(lr={LearningRate}, t={StepCount}, {Parameters.Count} parameters)";

    /// <summary>Updates parameter <paramref name="index"/> in place; <see cref="StepCount"/> is already t.</summary>
    /// <param name="index">Position in <see cref="Parameters"/>, for looking up its state.</param>
    /// <param name="theta">θ, the values, length n; updated in place.</param>
    /// <param name="grad">g, ∂loss/∂θ, length n; must not be modified.</param>
    protected abstract void Update(int index, Span<T> theta, ReadOnlySpan<T> grad);

    /// <summary>One zeroed buffer per parameter, each as long as the parameter (momentum, moments, sums).</summary>
    protected T[][] NewState(T initialValue)
    {
        var state = new T[Parameters.Count][];
        for (int i = 0; i < state.Length; i++)
        {
            state[i] = new T[Parameters[i].Value.Length];
            state[i].AsSpan().Fill(initialValue);
        }

        return state;
    }

    /// <summary>The position of <paramref name="parameter"/> in <see cref="Parameters"/>.</summary>
    /// <exception cref="ArgumentException">The parameter is not optimized by this optimizer.</exception>
    protected int IndexOf(Parameter<T> parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (ReferenceEquals(Parameters[i], parameter))
            {
                return i;
            }
        }

        throw new ArgumentException($"Parameter '{parameter.Name}' is not optimized by this {GetType().Name.Split('`')[0]}.", nameof(parameter));
    }

    /// <summary>Returns <paramref name="value"/> if it is &gt; 0, else throws (NaN included).</summary>
    protected static double RequirePositive(double value, string paramName) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be > 0.");

    /// <summary>Returns <paramref name="value"/> if it is ≥ 0, else throws (NaN included).</summary>
    protected static double RequireNonNegative(double value, string paramName) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be >= 0.");

    /// <summary>Returns <paramref name="value"/> if it is in [0, 1), else throws (NaN included).</summary>
    protected static double RequireUnitInterval(double value, string paramName) =>
        value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be in [0, 1).");

    /// <summary>A hyperparameter as the element type.</summary>
    protected static T Scalar(double value) => T.CreateChecked(value);
}
