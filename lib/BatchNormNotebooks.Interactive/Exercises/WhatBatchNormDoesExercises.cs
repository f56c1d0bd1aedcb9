using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/08-what-batchnorm-does: each method computes its expected value here, with the library
/// (never in the notebook's check cell, where a student could print it), and prints one verdict through
/// <see cref="Exercise.Report"/>: ✅ naming the expected value, ❌ with a hint, or "not answered" (NaN or null).
/// </summary>
public static class WhatBatchNormDoesExercises
{
    /// <summary>Exercise 3's hidden-layer gains; the output layer is rescaled to <see cref="SlopeOutputGain"/>.</summary>
    public static IReadOnlyList<double> SlopeGains { get; } = [1, 3, 10, 30, 100];

    /// <summary>Exercise 3's output-layer gain (as the ablation's <c>Mixed</c> of section 6).</summary>
    public const double SlopeOutputGain = 3;

    /// <summary>
    /// Exercise 1: the saturated share P(|tanh z| &gt; 0.99) of a tanh layer fed standard normal pre-activations
    /// (<see cref="Diagnostics.GaussianSaturation"/>), as a fraction to 2 significant digits. The notebook's threshold is
    /// 0.97 (whose z, 2.09, its prose gives); the exercise asks for the stricter 0.99 so that it is not a look-up.
    /// </summary>
    /// <remarks>An answer cell that calls <see cref="Diagnostics.GaussianSaturation"/> (which computes the share outright)
    /// is rejected: the check reads the answer cell's compiled code (<see cref="AnswerCells"/>).</remarks>
    public static void SaturatedShare(double answer)
    {
        const string name = "1 · saturated share of a standard normal layer";
        var calls = AnswerCells.LibraryCalls([], ["Diagnostics.GaussianSaturation"]);
        if (calls.Count > 0)
        {
            AnswerCells.Reject(name, calls, "find the z where tanh(z) = 0.99, then 2·(1 − Φ(z)) from a normal table or your own integral of the normal density");
            return;
        }

        Exercise.CheckDigits(name, answer, Diagnostics.GaussianSaturation(0.99), significantDigits: 2,
            hint: "The threshold applies to tanh(z), not to z: find the z where tanh(z) = 0.99 first.");
    }

    /// <summary>
    /// Exercise 2, from the printed ratios of section 5: for the run without batch norm (seed 1, trained at
    /// <paramref name="learningRate"/>), the largest η at which none of hidden layers 2–5 ends (mean log10 ratio of the
    /// last 50 steps) above −3 if only η changed (the ratio is log10 η + log10 std(∂L/∂W) − log10 std(W)), and layer 1's
    /// late ratio at that η. Tolerances allow for the two decimals the notebook prints: η within 3 %, the ratio ± 0.02.
    /// </summary>
    /// <param name="eta">The student's η.</param>
    /// <param name="layerOneRatio">The student's layer-1 ratio at that η.</param>
    /// <param name="plainRun">The notebook's run without batch norm, seed 1 (plain[0]).</param>
    /// <param name="learningRate">The η that run was trained with.</param>
    public static void RatioTarget(double eta, double layerOneRatio, DiagnosticRun plainRun, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(plainRun);
        if (plainRun.UpdateRatio.Count < 2 || plainRun.UpdateRatio[0].Count < 50)
        {
            throw new ArgumentException("Exercise 2 reads the last 50 steps of at least 2 hidden layers.", nameof(plainRun));
        }

        double[] late = [.. plainRun.UpdateRatio.Select(u => DiagnosticRun.Mean(u, u.Count - 50, u.Count))];
        double shift = -3 - late.Skip(1).Max();                 // log10(η'/η): moves every layer's ratio by the same amount
        double target = learningRate * Math.Pow(10, shift);
        double layerOne = late[0] + shift;
        const double relative = 0.03, ratioTolerance = 0.02;
        ExerciseParts.Report("2 · one η for layers 2–5, and layer 1 at it",
            [eta is double.NaN ? null : Math.Abs(eta / target - 1) <= relative, ExerciseParts.Within(layerOneRatio, layerOne, ratioTolerance)],
            "Changing η moves every layer's ratio by log10(η'/η), the same for all: the layer of 2–5 with the highest late ratio decides, and layer 1 moves by as much.",
            $"{ExerciseParts.Digits(target, 4)}, {Exercise.Shown(layerOne, 0.00005)}");   // more digits than asked: the charts' data hold 2–3 decimal ratios
    }

    /// <summary>
    /// Exercise 3, predict: Adam's first step (bias-corrected, the library's <see cref="Adam{T}"/> with its defaults,
    /// η = <see cref="AdamLearningRate"/>) on hidden layer 3 of the batch-norm networks of <see cref="SlopeGains"/>
    /// (2 inputs, 2 classes, seed 1, the output layer's weights rescaled to gain 3 as the ablation's <c>Mixed</c>), on
    /// the first mini-batch of <paramref name="moons"/> (shuffling seed 1): the least-squares slope of
    /// log10(std(ΔW)/std(W)) against log10 g, and that ratio at g = 10; both ± 0.05. The notebook measures neither.
    /// </summary>
    /// <param name="slope">The student's predicted slope.</param>
    /// <param name="ratioAtTen">The student's predicted log10 ratio at g = 10.</param>
    /// <param name="moons">The notebook's two-moons training set.</param>
    /// <param name="setup">The notebook's network settings (hidden width, depth, batch size).</param>
    public static void AdamFirstStep(double slope, double ratioAtTen, Dataset<double> moons, DiagnosticSetup setup)
    {
        var (expectedSlope, expectedAtTen) = AdamFirstStepExpected(moons, setup);
        const double tolerance = 0.05;
        ExerciseParts.Report("3 · Adam's first step against the init gain", [ExerciseParts.Within(slope, expectedSlope, tolerance),
            ExerciseParts.Within(ratioAtTen, expectedAtTen, tolerance)],
            "Adam's first step divides the gradient by its own size, entry by entry: how large is each entry's step, whatever the gradient's scale? And std(W) = g/√fan-in.",
            $"{Exercise.Shown(expectedSlope, 0.005)}, {Exercise.Shown(expectedAtTen, 0.005)}");   // two decimals, finer than the ±0.05 asked
    }

    /// <summary>Exercise 3's η for Adam (PyTorch's default).</summary>
    public const double AdamLearningRate = 1e-3;

    /// <summary>The expected values of <see cref="AdamFirstStep"/>: (slope, ratio at g = 10).</summary>
    public static (double Slope, double AtTen) AdamFirstStepExpected(Dataset<double> moons, DiagnosticSetup setup)
    {
        ArgumentNullException.ThrowIfNull(moons);
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Depth < 3)
        {
            throw new ArgumentException($"Exercise 3 reads hidden layer 3; the setup has {setup.Depth} hidden layers.", nameof(setup));
        }

        var rows = new MiniBatchSampler<double>(moons, setup.BatchSize, 1).NextRows();
        var batch = moons.Subset(rows);
        double[] ratios = [.. SlopeGains.Select(g =>
        {
            var net = Diagnostics.TanhMlp(moons.X.Cols, 2, setup, g, batchNorm: true, seed: 1);
            var output = ((Linear<double>)net.Layers[^1]).Weight.Value;
            for (int k = 0; k < output.Length; k++)
            {
                output[k] *= SlopeOutputGain / g;
            }

            net.Training = true;
            var loss = new SoftmaxCrossEntropy<double>();
            loss.Forward(net.Forward(batch.X), batch.Y);
            net.Backward(loss.Backward());
            var weight = net.Layers.OfType<Linear<double>>().ElementAt(2).Weight;
            double[] before = (double[])weight.Value.Clone();
            new Adam<double>([weight], AdamLearningRate).Step();
            double[] step = [.. weight.Value.Zip(before, (a, b) => a - b)];
            return Math.Log10(Diagnostics.Std(step) / Diagnostics.Std(before));
        })];
        double[] x = [.. SlopeGains.Select(Math.Log10)];
        double xMean = x.Average(), yMean = ratios.Average();
        double slope = x.Zip(ratios).Sum(p => (p.First - xMean) * (p.Second - yMean)) / x.Sum(v => (v - xMean) * (v - xMean));
        return (slope, ratios[SlopeGains.ToList().IndexOf(10)]);
    }

    /// <summary>
    /// Exercise 4, predict: the std of layer 1's pre-activations z = xW (bias 0) at initialization, W ~ N(0, g²/fan-in)
    /// independent of the pixels, over every entry for all of <paramref name="train"/> — g·√(mean x²), 3 significant
    /// digits — and the share of them beyond atanh(0.97) if they were normal with that std (2 significant digits), one
    /// verdict, both computed here.
    /// </summary>
    /// <param name="predictedStd">The student's std.</param>
    /// <param name="predictedShare">The student's share beyond atanh(0.97), a fraction.</param>
    /// <param name="train">The notebook's MNIST training set.</param>
    /// <param name="gain">The init gain g.</param>
    public static void LayerOnePreActivationStd(double predictedStd, double predictedShare, Dataset<double> train, double gain)
    {
        ArgumentNullException.ThrowIfNull(train);
        double std = gain * Math.Sqrt(train.X.Data.Average(v => v * v));
        double share = Diagnostics.GaussianSaturation(Math.Tanh(Math.Atanh(0.97) / std));   // P(|σZ| > atanh 0.97)
        ExerciseParts.Report("4 · layer 1's pre-activation std and its share beyond atanh(0.97)",
            [ExerciseParts.Digits(predictedStd, std, 3), ExerciseParts.Digits(predictedShare, share, 2)],
            "Var(Σₖ xₖWₖ) over independent zero-mean weights is Σₖ xₖ² Var(W): it takes the mean of x², not the variance of x. Then the share is 2·(1 − Φ(2.09/σ)).",
            $"{ExerciseParts.Digits(std, 3)}, {ExerciseParts.Digits(share, 2)}");
    }
}
