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
    /// Exercise 2: for std(W) = 0.05 and std(∂L/∂W) = 0.02, the update-to-data ratio at η = 0.1 (to ±0.001) and the η
    /// that brings it to −3 (2 significant digits), one verdict; both from <see cref="Diagnostics.UpdateToDataRatio"/>
    /// on data with exactly these stds.
    /// </summary>
    public static void UpdateRatioTarget(double ratio, double learningRate)
    {
        double[] weights = [0.05, -0.05], grads = [0.02, -0.02];
        double ratioAtTenth = Diagnostics.UpdateToDataRatio(grads, weights, 0.1);
        double target = 0.1 * Math.Pow(10, -3 - ratioAtTenth);   // the ratio is log10 η + const: move it by −3 − ratio
        const double ratioTolerance = 0.001;
        ExerciseParts.Report("2 · the ratio at η = 0.1 and the η for −3",
            [ExerciseParts.Within(ratio, ratioAtTenth, ratioTolerance), ExerciseParts.Digits(learningRate, target, 2)],
            "Write the ratio as log10 of η times the gradient's std over the weights' std; evaluate it at η = 0.1, then set it to −3 and solve for η.",
            $"{Exercise.Shown(ratioAtTenth, ratioTolerance)}, {ExerciseParts.Digits(target, 2)}");
    }

    /// <summary>
    /// Exercise 3, predict then measure a sweep: the networks of <see cref="Diagnostics.TanhMlp"/> (2 inputs, 2 classes,
    /// batch norm, seed 1) at each hidden gain of <see cref="SlopeGains"/> with the output layer's weights rescaled to
    /// gain 3, one SGD step each on <paramref name="moons"/> (shuffling seed 1); the log10 update-to-data ratio of
    /// hidden layer 3 at step 0 against log10 g. The answer is [predicted slope, measured least-squares slope, measured
    /// ratio at g = 1]: the prediction within 0.05 of the measured slope, the other two within 0.01.
    /// </summary>
    /// <param name="answer">[predicted slope, measured slope, ratio at g = 1].</param>
    /// <param name="moons">The notebook's two-moons training set.</param>
    /// <param name="setup">The notebook's network and training settings (its one step uses Steps = 1).</param>
    public static void EffectiveLearningRateSlope(double[]? answer, Dataset<double> moons, DiagnosticSetup setup)
    {
        ArgumentNullException.ThrowIfNull(moons);
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Depth < 3)
        {
            throw new ArgumentException($"Exercise 3 reads hidden layer 3; the setup has {setup.Depth} hidden layers.", nameof(setup));
        }

        double[] ratios = [.. SlopeGains.Select(g =>
        {
            var net = Diagnostics.TanhMlp(moons.X.Cols, 2, setup, g, batchNorm: true, seed: 1);
            var output = ((Linear<double>)net.Layers[^1]).Weight.Value;
            for (int k = 0; k < output.Length; k++)
            {
                output[k] *= SlopeOutputGain / g;
            }

            return Diagnostics.Train(net, moons, null, setup with { Steps = 1 }, 1).UpdateRatio[2][0];
        })];
        double[] x = [.. SlopeGains.Select(Math.Log10)];
        double xMean = x.Average(), yMean = ratios.Average();
        double slope = x.Zip(ratios).Sum(p => (p.First - xMean) * (p.Second - yMean)) / x.Sum(v => (v - xMean) * (v - xMean));
        double atOne = ratios[SlopeGains.ToList().IndexOf(1)];
        bool? threeNumbers = answer is null || answer.Any(double.IsNaN) ? null : answer.Length == 3;
        IReadOnlyList<bool?> parts = threeNumbers == true
            ? [ExerciseParts.Within(answer![0], slope, 0.05), ExerciseParts.Within(answer[1], slope, 0.01), ExerciseParts.Within(answer[2], atOne, 0.01)]
            : [threeNumbers];
        ExerciseParts.Report("3 · slope of the update-to-data ratio, predicted and measured", parts,
            "The ratio is η·std(∂L/∂W)/std(W). When batch norm follows W, how does each of the two stds scale with W's gain? The output layer is fixed, so the logits do not change.",
            ExerciseParts.List([Exercise.Shown(slope, 0.05), Exercise.Shown(slope, 0.01), Exercise.Shown(atOne, 0.01)]));
    }

    /// <summary>
    /// Exercise 4, predict then measure: the predicted std of layer 1's pre-activations, g·√(mean x²) over every
    /// pixel of <paramref name="train"/>, and the measured one — the std (dividing by the count) of z = xW + b over all
    /// of <paramref name="train"/> for a fresh network without batch norm (<see cref="Diagnostics.TanhMlp"/>, 10
    /// classes, seed 4) at <paramref name="gain"/>; both to 4 significant digits, one verdict.
    /// </summary>
    /// <param name="predicted">The student's g·√(mean x²).</param>
    /// <param name="measured">The student's measured std.</param>
    /// <param name="train">The notebook's MNIST training set.</param>
    /// <param name="setup">The notebook's network settings.</param>
    /// <param name="gain">The init gain g.</param>
    public static void LayerOnePreActivationStd(double predicted, double measured, Dataset<double> train, DiagnosticSetup setup, double gain)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(setup);
        double prediction = gain * Math.Sqrt(train.X.Data.Average(v => v * v));
        var net = Diagnostics.TanhMlp(train.X.Cols, 10, setup, gain, batchNorm: false, seed: 4);
        double measurement = Diagnostics.Std(net.Layers[0].Forward(train.X).Data);
        ExerciseParts.Report("4 · layer 1's pre-activation std, predicted and measured",
            [ExerciseParts.Digits(predicted, prediction, 4), ExerciseParts.Digits(measured, measurement, 4)],
            "The prediction is not g itself (that assumes inputs of variance 1): take g · √(mean of x²) over all pixels of all training digits. The measurement is the std of every entry of layer 1's output on all training digits.",
            $"{ExerciseParts.Digits(prediction, 4)}, {ExerciseParts.Digits(measurement, 4)}");
    }
}
