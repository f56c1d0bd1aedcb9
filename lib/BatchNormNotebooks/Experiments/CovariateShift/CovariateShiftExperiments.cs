namespace BatchNormNotebooks;

/// <summary>
/// The experiments of notebooks/02-internal-covariate-shift: the paper's Figure 1 network (Ioffe &amp; Szegedy 2015,
/// §4.1) with and without batch norm, a small deep sigmoid network on two moons trained with plain SGD while
/// measuring how much a layer's input distribution moves (Santurkar et al. 2018, §2), and the loss landscape along
/// the gradient (their §3).
/// </summary>
public static class CovariateShiftExperiments
{
    /// <summary>
    /// The gain of the sigmoid version of Glorot's rule: σ′(0) = 1/4, so weights 4× the bound ±√6/√(n_in + n_out)
    /// that Glorot &amp; Bengio (2010) derived for units linear near 0. The factor 4 is from the Theano-era Deep Learning
    /// Tutorials (LISA lab, 2010), not from the paper; PyTorch's <c>calculate_gain("sigmoid")</c> is 1.
    /// </summary>
    public const double SigmoidGlorotGain = 4.0;

    /// <summary>A short label for charts and tables, e.g. "no BN (Glorot init)".</summary>
    public static string Label(NetKind kind) => kind switch
    {
        NetKind.NoBatchNorm => "no BN (default init)",
        NetKind.NoBatchNormGlorot => "no BN (Glorot init)",
        NetKind.BatchNorm => "BN",
        NetKind.NoisyBatchNorm => "noisy BN",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown network kind."),
    };

    /// <summary>
    /// The network of Figure 1: 784 → 100 → 100 → 100 → 10, sigmoid hidden units; with BN each hidden layer is
    /// Linear (no bias, β takes its role) → BN → sigmoid. The last hidden layer's sigmoid input is layer Count − 3.
    /// </summary>
    /// <param name="kind">Which variant (<see cref="NetKind.NoisyBatchNorm"/> is not offered here).</param>
    /// <param name="seed">Seed of the weights.</param>
    public static Sequential<float> PaperNet(NetKind kind, ulong seed) => Build<float>(kind, seed, MnistDigits.Pixels, 100, 3, 10);

    /// <summary>The two-moons network: 2 → 32 → 32 → 32 → 2 with sigmoid hidden units, as <see cref="PaperNet"/> otherwise.</summary>
    /// <param name="kind">Which variant.</param>
    /// <param name="seed">Seed of the weights (and of the noise of <see cref="NetKind.NoisyBatchNorm"/>).</param>
    /// <param name="noisyShift">For <see cref="NetKind.NoisyBatchNorm"/>: the half-width of the random shift's range,
    /// m ~ U(−noisyShift, noisyShift) (<see cref="NoisyBatchNorm{T}.MaxShift"/>; default 1). Ignored by the other kinds.</param>
    public static Sequential<double> MoonNet(NetKind kind, ulong seed, double noisyShift = 1.0) => Build<double>(kind, seed, 2, 32, 3, 2, noisyShift);

    private static Sequential<T> Build<T>(NetKind kind, ulong seed, int inputs, int width, int depth, int outputs, double noisyShift = 1.0)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        _ = Label(kind);
        if (!(noisyShift >= 0) || !double.IsFinite(noisyShift))
        {
            throw new ArgumentOutOfRangeException(nameof(noisyShift), noisyShift, "The noisy shift's half-width must be a finite number ≥ 0.");
        }

        var rng = new SeededRandom(seed);
        bool normalized = kind is NetKind.BatchNorm or NetKind.NoisyBatchNorm;
        var layers = new List<ILayer<T>>();
        for (int k = 0; k < depth; k++, inputs = width)
        {
            var linear = new Linear<T>(inputs, width, rng, bias: !normalized, name: $"fc{k + 1}");
            layers.Add(kind == NetKind.NoBatchNormGlorot ? Initialization.Glorot(linear, rng, SigmoidGlorotGain) : linear);
            if (kind == NetKind.BatchNorm)
            {
                layers.Add(new BatchNorm1d<T>(width, name: $"bn{k + 1}"));
            }
            else if (kind == NetKind.NoisyBatchNorm)
            {
                layers.Add(new NoisyBatchNorm<T>(width, new SeededRandom(seed + 1000 + (ulong)k), maxShift: noisyShift, name: $"nbn{k + 1}"));
            }

            layers.Add(new Sigmoid<T>());
        }

        var output = new Linear<T>(width, outputs, rng, name: "out");
        layers.Add(kind == NetKind.NoBatchNormGlorot ? Initialization.Glorot(output, rng) : output);
        return new Sequential<T>([.. layers]);
    }

    /// <summary>
    /// Trains <see cref="MoonNet"/> with plain SGD on mini-batches drawn at random (seed + 7) and measures the shift,
    /// saturation and spread described in <see cref="MoonRun"/>. Stops early (rest of the losses +∞) when the loss is not finite.
    /// <paramref name="noisyShift"/> is <see cref="MoonNet"/>'s (noisy BN's shift range; default 1). <paramref name="trained"/>,
    /// if given, receives the trained network (still in training mode) after the last step, e.g. to evaluate it in eval mode.
    /// </summary>
    public static MoonRun Run(Dataset<double> data, NetKind kind, ulong seed, double learningRate, int steps = 250, int batchSize = 32,
        double noisyShift = 1.0, Action<Sequential<double>>? trained = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, data.Count);
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive finite number.");
        }

        var net = MoonNet(kind, seed, noisyShift);
        var sgd = new Optimizers.Sgd<double>(net.Parameters, learningRate);
        var ce = new SoftmaxCrossEntropy<double>();
        var batches = new MiniBatchSampler<double>(data, batchSize, seed + 7, MiniBatchOrder.Independent);
        var loss = new double[steps];
        double shift = 0, saturated = 0, spread = 0;
        double[]? previous = null;
        for (int t = 0; t < steps; t++)
        {
            var batch = data.Subset(batches.NextRows());
            var outputs = net.ForwardAll(batch.X);
            loss[t] = ce.Forward(outputs[^1], batch.Y);
            if (!double.IsFinite(loss[t]))
            {
                loss.AsSpan(t).Fill(double.PositiveInfinity);
                break;
            }

            net.Backward(ce.Backward());
            sgd.Step();
            double[] stats = ColumnMeansAndStds(outputs[^3]);
            spread += Enumerable.Range(0, stats.Length / 2).Average(j => stats[(2 * j) + 1]) / steps;
            saturated += SaturatedFraction(net, outputs) / steps;
            if (previous is not null)
            {
                shift += stats.Zip(previous, (a, b) => Math.Abs(a - b)).Average() / (steps - 1);
            }

            previous = stats;
        }

        trained?.Invoke(net);
        return new MoonRun(kind, loss, shift, saturated, spread);
    }

    /// <summary>The fraction of the outputs of all <see cref="Sigmoid{T}"/> layers outside (0.05, 0.95); outputs[l] is layer l's output.</summary>
    public static double SaturatedFraction<T>(Sequential<T> net, IReadOnlyList<Matrix<T>> outputs)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(outputs);
        long count = 0, total = 0;
        T low = T.CreateChecked(0.05), high = T.CreateChecked(0.95);
        for (int l = 0; l < net.Layers.Count; l++)
        {
            if (net.Layers[l] is Sigmoid<T>)
            {
                foreach (T a in outputs[l].Data)
                {
                    count += a <= low || a >= high ? 1 : 0;
                }

                total += outputs[l].Data.Length;
            }
        }

        return total == 0 ? throw new ArgumentException("The network has no sigmoid layer.", nameof(net)) : count / (double)total;
    }

    /// <summary>
    /// The loss landscape along −g on one batch (Santurkar et al. §3): for each η the loss and gradient at θ − ηg.
    /// Returns the loss range over η ∈ {0} ∪ etas, the largest gradient change ‖∇L(θ − ηg) − g‖₂, the largest
    /// change per distance moved ‖∇L(θ − ηg) − g‖₂ / (η‖g‖₂) and ‖g‖₂. The parameters are restored afterwards.
    /// </summary>
    public static (double Range, double GradientChange, double Beta, double GradientNorm) Landscape(Sequential<double> net, Dataset<double> batch, IReadOnlyList<double> etas)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(etas);
        if (etas.Count == 0 || etas.Any(e => !(e > 0)))
        {
            throw new ArgumentException("The step sizes η must be positive, and at least one is needed.", nameof(etas));
        }

        var ce = new SoftmaxCrossEntropy<double>();
        double[] Gradient(out double l)
        {
            l = ce.Forward(net.Forward(batch.X), batch.Y);
            net.Backward(ce.Backward());
            return [.. net.Parameters.SelectMany(p => p.Grad)];
        }

        double[] theta0 = [.. net.Parameters.SelectMany(p => p.Value)];
        double[] g0 = Gradient(out double l0);
        void Set(double eta)
        {
            int k = 0;
            foreach (var p in net.Parameters)
            {
                for (int i = 0; i < p.Value.Length; i++, k++)
                {
                    p.Value[i] = theta0[k] - (eta * g0[k]);
                }
            }
        }

        double lowest = l0, highest = l0, change = 0, beta = 0, norm0 = Math.Sqrt(g0.Sum(v => v * v));
        foreach (double eta in etas)
        {
            Set(eta);
            double[] g = Gradient(out double l);
            lowest = Math.Min(lowest, l);
            highest = Math.Max(highest, l);
            double d = Math.Sqrt(g.Zip(g0, (a, b) => (a - b) * (a - b)).Sum());
            change = Math.Max(change, d);
            beta = Math.Max(beta, d / (eta * norm0));
        }

        Set(0);
        return (highest - lowest, change, beta, norm0);
    }

    /// <summary>Trains <see cref="MoonNet"/> as <see cref="Run"/> does (batches from seed + 7) and measures
    /// <see cref="Landscape"/> on the current batch every <paramref name="every"/> steps, step 0 included.</summary>
    public static LandscapeTrace MeasureLandscape(Dataset<double> data, NetKind kind, ulong seed, double learningRate, IReadOnlyList<double> etas,
        int steps = 250, int every = 25, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        var net = MoonNet(kind, seed);
        var sgd = new Optimizers.Sgd<double>(net.Parameters, learningRate);
        var ce = new SoftmaxCrossEntropy<double>();
        var batches = new MiniBatchSampler<double>(data, batchSize, seed + 7, MiniBatchOrder.Independent);
        var at = new List<double>();
        var measures = new List<(double Range, double GradientChange, double Beta, double GradientNorm)>();
        for (int t = 0; t <= steps; t++)
        {
            var batch = data.Subset(batches.NextRows());
            if (t % every == 0)
            {
                at.Add(t);
                measures.Add(Landscape(net, batch, etas));
            }

            ce.Forward(net.Forward(batch.X), batch.Y);
            net.Backward(ce.Backward());
            sgd.Step();
        }

        return new LandscapeTrace([.. at], [.. measures.Select(m => m.Range)], [.. measures.Select(m => m.GradientChange)],
            [.. measures.Select(m => m.Beta)], [.. measures.Select(m => m.GradientNorm)]);
    }

    /// <summary>The change of a series over a run as the least-squares line through (x, y) sees it: slope · (x_last − x_first).</summary>
    public static double Trend(double[] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length || x.Length < 2)
        {
            throw new ArgumentException($"Trend needs x and y of equal length ≥ 2, got {x.Length} and {y.Length}.");
        }

        double mx = x.Average(), my = y.Average();
        double sxx = x.Sum(v => (v - mx) * (v - mx));
        double sxy = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        return sxy / sxx * (x[^1] - x[0]);
    }

    /// <summary>The distance a series travels: Σ |y[i] − y[i−1]|.</summary>
    public static double PathLength(double[] y)
    {
        ArgumentNullException.ThrowIfNull(y);
        double sum = 0;
        for (int i = 1; i < y.Length; i++)
        {
            sum += Math.Abs(y[i] - y[i - 1]);
        }

        return sum;
    }

    private static double[] ColumnMeansAndStds(Matrix<double> z)
    {
        var stats = new double[2 * z.Cols];
        for (int j = 0; j < z.Cols; j++)
        {
            double m = 0;
            for (int i = 0; i < z.Rows; i++)
            {
                m += z[i, j];
            }

            m /= z.Rows;
            double v = 0;
            for (int i = 0; i < z.Rows; i++)
            {
                v += (z[i, j] - m) * (z[i, j] - m);
            }

            stats[2 * j] = m;
            stats[(2 * j) + 1] = Math.Sqrt(v / z.Rows);
        }

        return stats;
    }
}
