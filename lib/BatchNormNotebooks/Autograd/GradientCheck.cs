namespace BatchNormNotebooks;

/// <summary>One compared gradient: which tensor, the worst element and the relative error there.</summary>
/// <param name="Layer">Layer name, e.g. "BatchNorm1d(3)".</param>
/// <param name="Tensor">"x" for the input or the parameter's name, e.g. "bn.gamma".</param>
/// <param name="WorstIndex">Flat index of the element with the largest relative error.</param>
/// <param name="Analytic">Backward's value there.</param>
/// <param name="Numeric">The centred difference there.</param>
/// <param name="RelativeError">max over elements of |a − n| / max(1e-8, |a| + |n|).</param>
public sealed record GradientCheckEntry(string Layer, string Tensor, int WorstIndex, double Analytic, double Numeric, double RelativeError)
{
    public override string ToString() =>
        $"{Layer} ∂/∂{Tensor}: rel. error {RelativeError:E2} (worst at index {WorstIndex}: backward {Analytic:G6}, numeric {Numeric:G6})";
}

/// <summary>The result of a gradient check: one entry per input or parameter tensor.</summary>
public sealed record GradientCheckResult(IReadOnlyList<GradientCheckEntry> Entries)
{
    /// <summary>The largest relative error over all entries.</summary>
    public double MaxRelativeError => Entries.Count == 0 ? 0 : Entries.Max(e => e.RelativeError);

    /// <summary>The entry with the largest error.</summary>
    public GradientCheckEntry? Worst => Entries.MaxBy(e => e.RelativeError);

    public override string ToString() => string.Join(Environment.NewLine, Entries);
}

/// <summary>
/// Gradient checking with centred differences in float64: ∂f/∂v[k] ≈ (f(v + h·e_k) − f(v − h·e_k)) / (2h),
/// compared with backward by the relative error max_k |a_k − n_k| / max(1e-8, |a_k| + |n_k|).
/// </summary>
/// <remarks>Rule of thumb (cs231n): &gt; 1e-2 wrong; 1e-2…1e-4 suspicious; &lt; 1e-4 fine only with kinks (ReLU);
/// ≤ 1e-7 good. The error is U-shaped in h: truncation for large h, round-off for small h.
/// Taught in notebooks/01-backprop-recap.</remarks>
public static class GradientCheck
{
    /// <summary>The default step h = 1e-5.</summary>
    public const double DefaultStep = 1e-5;

    /// <summary>Relative error max_k |a_k − b_k| / max(1e-8, |a_k| + |b_k|), and the index where it is largest.</summary>
    public static (double Error, int Index) RelativeError(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Cannot compare gradients of lengths {a.Length} and {b.Length}.");
        }

        double worst = 0;
        int index = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double e = Math.Abs(a[k] - b[k]) / Math.Max(1e-8, Math.Abs(a[k]) + Math.Abs(b[k]));
            if (e > worst || double.IsNaN(e))
            {
                worst = e;
                index = k;
            }
        }

        return (worst, index);
    }

    /// <summary>Centred-difference gradient of <paramref name="f"/> with respect to every element of <paramref name="v"/>
    /// (each is nudged by ±h and restored).</summary>
    public static double[] Numerical(Func<double> f, double[] v, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(v);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h);
        var grad = new double[v.Length];
        for (int k = 0; k < v.Length; k++)
        {
            double old = v[k];
            v[k] = old + h;
            double plus = f();
            v[k] = old - h;
            double minus = f();
            v[k] = old;
            grad[k] = (plus - minus) / (2 * h);
        }

        return grad;
    }

    /// <summary>
    /// Checks a layer's backward for the input and every parameter, with the scalar f = Σ y ⊙ g for a seeded random
    /// upstream gradient g of the output's shape. Batch-norm running statistics (mean, variance, batch count) are restored afterwards.
    /// </summary>
    public static GradientCheckResult CheckLayer(ILayer<double> layer, Matrix<double> x, ulong seed = 0, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(x);
        using var restore = new RunningStatsSnapshot(layer);
        var y = layer.Forward(x);
        var g = Matrix<double>.RandomNormal(y.Rows, y.Cols, new SeededRandom(seed));
        double F() => System.Numerics.Tensors.TensorPrimitives.Dot<double>(layer.Forward(x).Data, g.Data);
        return Compare(layer, x, () => layer.Backward(g), F, h);
    }

    /// <summary>Checks a whole network plus loss: f = loss(net(x), target), for the input and every parameter.</summary>
    public static GradientCheckResult CheckNetwork(Sequential<double> net, ILoss<double> loss, Matrix<double> x, Matrix<double> target, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(loss);
        using var restore = new RunningStatsSnapshot(net);
        double F() => loss.Forward(net.Forward(x), target);
        F();
        return Compare(net, x, () => net.Backward(loss.Backward()), F, h);
    }

    private static GradientCheckResult Compare(ILayer<double> layer, Matrix<double> x, Func<Matrix<double>> backward, Func<double> f, double h)
    {
        var dx = backward();
        var analytic = new List<(string Name, double[] Grad, double[] Values)> { ("x", (double[])dx.Data.Clone(), x.Data) };
        foreach (var p in layer.Parameters)
        {
            analytic.Add((p.Name, (double[])p.Grad.Clone(), p.Value));
        }

        var entries = new List<GradientCheckEntry>();
        foreach (var (name, grad, values) in analytic)
        {
            double[] numeric = Numerical(f, values, h);
            var (error, index) = RelativeError(grad, numeric);
            entries.Add(new GradientCheckEntry(layer.Name, name, index, grad.Length == 0 ? 0 : grad[index], numeric.Length == 0 ? 0 : numeric[index], error));
        }

        return new GradientCheckResult(entries);
    }

    /// <summary>Saves the running statistics (mean, variance and batch count) of every batch norm in a layer — also
    /// inside <see cref="Sequential{T}"/> and <see cref="NoisyBatchNorm{T}"/> — and restores them on dispose, so a
    /// check leaves no trace.</summary>
    private sealed class RunningStatsSnapshot : IDisposable
    {
        private readonly List<(RunningStatistics<double> Stats, double[] Mean, double[] Var, long BatchesSeen)> _saved = [];

        public RunningStatsSnapshot(ILayer<double> layer) => Visit(layer);

        public void Dispose()
        {
            foreach (var (stats, mean, var, batchesSeen) in _saved)
            {
                stats.Restore(mean, var, batchesSeen);
            }
        }

        private void Visit(ILayer<double> layer)
        {
            switch (layer)
            {
                case BatchNorm1d<double> bn:
                    _saved.Add((bn.Running, (double[])bn.Running.Mean.Clone(), (double[])bn.Running.Variance.Clone(), bn.Running.BatchesSeen));
                    break;
                case NoisyBatchNorm<double> noisy:
                    Visit(noisy.BatchNorm);
                    break;
                case Sequential<double> seq:
                    foreach (var inner in seq.Layers)
                    {
                        Visit(inner);
                    }

                    break;
            }
        }
    }
}
