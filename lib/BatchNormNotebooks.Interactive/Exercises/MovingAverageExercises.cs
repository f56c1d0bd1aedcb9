namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/05-moving-averages-inference: each method computes its expected value here, with the
/// library (never in the notebook's check cell, where a student could print it), and prints one verdict through
/// <see cref="Exercise.Report"/>: ✅ naming the expected value, ❌ with a hint, or "not answered" (NaN or null).
/// </summary>
public static class MovingAverageExercises
{
    /// <summary>
    /// What exercises 1–3 and 5 must not call: the library's running statistics, its conventions and its batch-norm
    /// layers compute the answers outright (the check reads the answer cell's compiled code, <see cref="AnswerCells"/>).
    /// </summary>
    internal static readonly Type[] RunningStatisticsTypes =
        [typeof(RunningStatistics<>), typeof(BatchNormConvention), typeof(BatchNorm1d<>), typeof(NoisyBatchNorm<>), typeof(BatchNormKernels)];

    /// <summary>Rejects an answer cell that calls <see cref="RunningStatisticsTypes"/>; true when it did (the verdict is printed).</summary>
    private static bool CalledTheLibrary(string name)
    {
        var calls = AnswerCells.LibraryCalls(RunningStatisticsTypes);
        if (calls.Count > 0)
        {
            AnswerCells.Reject(name, calls, "unroll r ← (1 − w)·r + w·v by hand or in a loop of your own");
        }

        return calls.Count > 0;
    }

    /// <summary>The batch sizes of exercise 4's sweep: the finite-population factor √((N−m)/(N−1)) grows with m.</summary>
    public static IReadOnlyList<int> NoiseBatchSizes { get; } = [16, 64, 256];

    /// <summary>Exercise 4's seeds (1 … 10) and batches per seed, as in section 7.</summary>
    public const int NoiseSeeds = 10, NoiseBatches = 500;

    /// <summary>
    /// Exercise 1: a Keras running mean (new-value weight 0.01) starts at 0 and sees 5 batches of mean 2, then 5 of
    /// mean 4; the answer is its value after the 10, to 4 significant digits.
    /// </summary>
    public static void KerasAfterTenIterations(double answer)
    {
        if (CalledTheLibrary("1 · Keras after 10 iterations"))
        {
            return;
        }

        var statistics = new RunningStatistics<double>(1, BatchNormConvention.Keras);
        for (int t = 0; t < 10; t++)
        {
            statistics.Update([t < 5 ? 2.0 : 4.0], [1.0], 100);
        }

        Exercise.CheckDigits("1 · Keras after 10 iterations", answer, statistics.Mean[0], significantDigits: 4,
            hint: "Unroll r_t = 0.99·r_{t−1} + 0.01·v_t from r_0 = 0: batch k keeps the weight 0.01·0.99^(10−k), so the later 4s weigh a little more than the 2s.");
    }

    /// <summary>
    /// Exercise 2: a PyTorch running variance (starting at 1) after one training batch of m = 5 whose biased
    /// variance is 3 (4 significant digits).
    /// </summary>
    public static void PyTorchRunningVariance(double answer)
    {
        if (CalledTheLibrary("2 · PyTorch running variance"))
        {
            return;
        }

        var statistics = new RunningStatistics<double>(1, BatchNormConvention.PyTorch);
        statistics.Update([0.0], [3.0], 5);
        Exercise.CheckDigits("2 · PyTorch running variance", answer, statistics.Variance[0], significantDigits: 4,
            hint: "The new value enters with weight 0.1, and PyTorch stores the unbiased m/(m−1)·σ²_B (m is 5 here).");
    }

    /// <summary>
    /// Exercise 3: with PyTorch's momentum 0.1 and a constant batch mean μ, the first iteration t at which the running
    /// mean (from 0) reaches 99 % of μ, and the fraction of μ it has reached then (4 significant digits) — one verdict.
    /// </summary>
    public static void IterationsTo99Percent(int? iterations, double fraction)
    {
        if (CalledTheLibrary("3 · iterations to 99 %"))
        {
            return;
        }

        var statistics = new RunningStatistics<double>(1, BatchNormConvention.PyTorch);
        while (statistics.Mean[0] < 0.99)
        {
            statistics.Update([1.0], [1.0], 2);
        }

        ExerciseParts.Report("3 · iterations to 99 %",
            [iterations is null ? null : iterations == statistics.BatchesSeen, ExerciseParts.Digits(fraction, statistics.Mean[0], 4)],
            "Solve 1 − 0.9^t ≥ 0.99 for the smallest whole t (round which way?), then evaluate 1 − 0.9^t at that t.",
            $"{ExerciseParts.Whole(statistics.BatchesSeen)}, {ExerciseParts.Digits(statistics.Mean[0], 4)}");
    }

    /// <summary>
    /// Exercise 4, predict then measure a sweep: for each m of <see cref="NoiseBatchSizes"/>, the predicted
    /// std(μ_B) = σ/√m·√((N−m)/(N−1)) (σ the population std of <paramref name="data"/>, dividing by N) and the
    /// measured one — the std (dividing by the count) of the means of <see cref="NoiseBatches"/> batches drawn by
    /// <paramref name="makeBatches"/>(data, m, 500, seed), averaged over seeds 1 … 10. Each entry right to ±0.000002 (6 decimals: the numbers are computed, not estimated).
    /// </summary>
    /// <param name="predicted">The student's predictions, one per batch size.</param>
    /// <param name="measured">The student's measurements, one per batch size.</param>
    /// <param name="data">The notebook's N = 1000 points.</param>
    /// <param name="makeBatches">The notebook's <c>MakeBatches(population, batchSize, iterations, seed)</c>.</param>
    public static void BatchMeanNoise(double[]? predicted, double[]? measured, double[] data, Func<double[], int, int, ulong, double[][]> makeBatches)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(makeBatches);
        if (data.Length <= NoiseBatchSizes.Max())
        {
            throw new ArgumentException($"Exercise 4 draws batches of up to {NoiseBatchSizes.Max()} from the data; it holds {data.Length} points.", nameof(data));
        }

        double sigma = PopulationStd(data);
        double[] prediction = [.. NoiseBatchSizes.Select(m => sigma / Math.Sqrt(m) * Math.Sqrt((data.Length - m) / (data.Length - 1.0)))];
        double[] measurement = [.. NoiseBatchSizes.Select(m => Enumerable.Range(1, NoiseSeeds)
            .Average(s => PopulationStd([.. makeBatches(data, m, NoiseBatches, (ulong)s).Select(b => b.Average())])))];
        const double tolerance = 0.000002;
        ExerciseParts.Report("4 · noise of μ_B at m = 16, 64, 256, predicted and measured",
            [ExerciseParts.Within(predicted, prediction, tolerance), ExerciseParts.Within(measured, measurement, tolerance)],
            "The prediction scales σ by 1/√m and by the finite-population factor of section 7 (which matters more as m grows); the measurement is a std over 500 batch means, averaged over the ten seeds.",
            $"{ExerciseParts.List(prediction.Select(p => Exercise.Shown(p, tolerance)))}, {ExerciseParts.List(measurement.Select(p => Exercise.Shown(p, tolerance)))}");
    }

    /// <summary>
    /// Exercise 5: a fresh PyTorch-convention BatchNorm1d with one feature runs Forward in eval mode on [4, 6], in
    /// training mode on [1, 4], in eval mode on [10, 20] and in training mode on [2, 9]. The answer: the running
    /// variance and the running mean at the end (4 significant digits each) — one verdict.
    /// </summary>
    public static void EvalModeTrace(double runningVariance, double runningMean)
    {
        if (CalledTheLibrary("5 · eval mode and the running statistics"))
        {
            return;
        }

        var layer = new BatchNorm1d<double>(1, BatchNormConvention.PyTorch);
        foreach (var (training, batch) in Trace)
        {
            layer.Training = training;
            layer.Forward(Matrix<double>.FromRows([.. batch.Select(v => new[] { v })]));
        }

        double variance = layer.Running.Variance[0], mean = layer.Running.Mean[0];
        ExerciseParts.Report("5 · eval mode and the running statistics",
            [ExerciseParts.Digits(runningVariance, variance, 4), ExerciseParts.Digits(runningMean, mean, 4)],
            "Go through the four calls in order: which of them update r ← 0.9·r + 0.1·v (v the batch mean, or its unbiased variance), and which only read r?",
            $"{ExerciseParts.Digits(variance, 4)}, {ExerciseParts.Digits(mean, 4)}");
    }

    /// <summary>Exercise 5's calls: (training mode?, batch of one feature).</summary>
    private static readonly (bool Training, double[] Batch)[] Trace = [(false, [4.0, 6.0]), (true, [1.0, 4.0]), (false, [10.0, 20.0]), (true, [2.0, 9.0])];

    private static double PopulationStd(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }
}
