using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>Layers applied in order; backward runs them in reverse. Setting <see cref="Training"/> sets every layer.</summary>
/// <remarks>Inside, the layers pass each other their own buffers (<see cref="ILayer{T}.ForwardBuffered"/>), so a
/// training step through <see cref="ForwardBuffered"/> and <see cref="BackwardBuffered"/> allocates nothing once the
/// batch shape is steady; <see cref="Forward"/> copies only the final result into a new matrix, and
/// <see cref="Backward"/> lets the first layer write ∂loss/∂x straight into a new one (its public Backward). The buffered path keeps references, not copies: the x given to <see cref="ForwardBuffered"/> must stay
/// unchanged until <see cref="BackwardBuffered"/> (a trainer's batch buffer does). <see cref="Forward"/> hands x to
/// its first layer the way that layer's public Forward keeps it (issue 22; no copy of x): by reference under x's
/// version stamp, so assigning an element of x before the backward makes the backward throw, and a copy is taken if
/// x's storage is handed out (a first layer from outside the library gets a copy the network owns, as before).
/// <see cref="ForwardAll"/> first copies x into a buffer of its own.
/// If a layer's forward throws, the network has no forward and <see cref="Backward"/> throws.
/// Taught from notebooks/01-backprop-recap on.</remarks>
public sealed class Sequential<T> : ILayer<T>, IGuardedBufferedForward<T> where T : IFloatingPointIeee754<T>
{
    private readonly ILayer<T>[] _layers;
    private bool _training = true;
    private bool _ready;
    private Matrix<T>? _input;
    private Matrix<T>? _inputSpare;

    /// <summary>Chains <paramref name="layers"/>.</summary>
    public Sequential(params ILayer<T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        for (int k = 0; k < layers.Length; k++)
        {
            if (layers[k] is null)
            {
                throw new ArgumentException($"Layer {k} is null.", nameof(layers));
            }
        }

        _layers = [.. layers];
        Layers = _layers;
        Parameters = [.. layers.SelectMany(l => l.Parameters)];
    }

    /// <inheritdoc/>
    public string Name => string.Join(" → ", Layers.Select(l => l.Name));

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<ILayer<T>> Layers { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <inheritdoc/>
    public bool Training
    {
        get => _training;
        set
        {
            _training = value;
            foreach (var layer in _layers)
            {
                layer.Training = value;
            }
        }
    }

    /// <summary>Forward through every layer; returns a new matrix.</summary>
    public Matrix<T> Forward(Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = ((IGuardedBufferedForward<T>)this).ForwardBufferedGuarded(x);
        return _layers.Length == 0 ? y : y.Clone();
    }

    /// <inheritdoc/>
    /// <remarks>The first layer keeps x guarded if it is one of the library's layers; otherwise x is copied into a
    /// buffer of the network's own first, as before issue 22.</remarks>
    Matrix<T> IGuardedBufferedForward<T>.ForwardBufferedGuarded(Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (_layers.Length == 0 || _layers[0] is not IGuardedBufferedForward<T> first)
        {
            return ForwardBuffered(LayerBuffer.CopyOf(ref _input, ref _inputSpare, x));
        }

        _ready = false;
        return ForwardBufferedFrom(1, first.ForwardBufferedGuarded(x));
    }

    /// <summary>Forward through every layer's own buffers; the result is the last layer's buffer (valid until the next
    /// forward). The layers keep references to their inputs: <paramref name="x"/> must stay unchanged until the backward.</summary>
    public Matrix<T> ForwardBuffered(Matrix<T> x)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        return ForwardBufferedFrom(0, x);
    }

    /// <summary>Layers <paramref name="first"/> onward through their own buffers; the network has a forward once all ran.</summary>
    private Matrix<T> ForwardBufferedFrom(int first, Matrix<T> x)
    {
        for (int k = first; k < _layers.Length; k++)
        {
            x = _layers[k].ForwardBuffered(x);
        }

        _ready = true;
        return x;
    }

    /// <summary>Forward that also returns every layer's output (index k = output of layer k), each a new matrix.</summary>
    public Matrix<T>[] ForwardAll(Matrix<T> x)
    {
        _ready = false;
        ArgumentNullException.ThrowIfNull(x);
        x = LayerBuffer.CopyOf(ref _input, ref _inputSpare, x);
        var outputs = new Matrix<T>[_layers.Length];
        for (int k = 0; k < _layers.Length; k++)
        {
            x = _layers[k].ForwardBuffered(x);
            outputs[k] = x.Clone();
        }

        _ready = true;
        return outputs;
    }

    /// <summary>Backward through every layer in reverse; returns ∂loss/∂x as a new matrix.</summary>
    public Matrix<T> Backward(Matrix<T> dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        if (!_ready || _layers.Length == 0)
        {
            return BackwardBuffered(dy);
        }

        // The last step, through the first layer, writes straight into a new matrix (its public Backward) instead of
        // into the layer's buffer and then a copy.
        for (int k = _layers.Length - 1; k > 0; k--)
        {
            dy = _layers[k].BackwardBuffered(dy);
        }

        return _layers[0].Backward(dy);
    }

    /// <summary>
    /// Backward for a training step: every parameter's gradient, as <see cref="Backward"/> computes it (same bits), but
    /// no ∂loss/∂x — what PyTorch's <c>loss.backward()</c> computes when the data does not require a gradient. Nothing
    /// the size of the batch is allocated (∂loss/∂x of an MNIST batch of 60 would be a new 188 KB matrix on the
    /// large-object heap every step).
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward to differentiate.</exception>
    public void BackwardParameters(Matrix<T> dy) => BackwardBuffered(dy, needInputGradient: false);

    /// <summary>Backward through every layer's own buffers. With <paramref name="needInputGradient"/> false the first
    /// layer skips ∂loss/∂x (what a training step does: nobody needs the gradient of the data).</summary>
    public Matrix<T> BackwardBuffered(Matrix<T> dy, bool needInputGradient = true)
    {
        ArgumentNullException.ThrowIfNull(dy);
        if (!_ready)
        {
            throw new InvalidOperationException("Sequential.Backward needs a Forward first (or the last Forward threw, so there is nothing to differentiate).");
        }

        for (int k = _layers.Length - 1; k >= 0; k--)
        {
            dy = _layers[k].BackwardBuffered(dy, needInputGradient || k > 0);
        }

        return dy;
    }

    /// <summary>The network as its layers joined by arrows, e.g. "Linear(2→16) → ReLU → Linear(16→2)".</summary>
    public override string ToString() => Name;
}
