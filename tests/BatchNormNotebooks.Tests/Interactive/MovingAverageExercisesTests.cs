using BatchNormNotebooks.Interactive;
using static BatchNormNotebooks.Tests.Interactive.ExerciseVerdicts;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 05's exercise checks: the reference answer prints ✅ with the expected value, a planted mistake ❌, an
/// unanswered part "not answered". Expected literals are worked out by hand in the comments, not by the library.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class MovingAverageExercisesTests
{
    [Fact]
    public void Keras_after_ten_iterations()
    {
        // five 2s then five 4s: 2·(0.99^5 − 0.99^10) + 4·(1 − 0.99^5) = 2·(0.9509900 − 0.9043821) + 4·0.0490100 = 0.0932158 + 0.1960399 = 0.2892557
        Assert.Equal("✅ Exercise 1 · Keras after 10 iterations: right (0.2893).", Line(() => MovingAverageExercises.KerasAfterTenIterations(0.28926)));
        Wrong(() => MovingAverageExercises.KerasAfterTenIterations(0.2869));   // 3·(1 − 0.99^10): equal weights for the ten batches
        Wrong(() => MovingAverageExercises.KerasAfterTenIterations(0.1912));   // every batch 2, the old exercise
        Wrong(() => MovingAverageExercises.KerasAfterTenIterations(0.289));    // too few digits
        NotAnswered(() => MovingAverageExercises.KerasAfterTenIterations(double.NaN));
    }

    [Fact]
    public void PyTorch_running_variance()
    {
        // 0.9·1 + 0.1·(5/4)·3 = 0.9 + 0.375
        Assert.Equal("✅ Exercise 2 · PyTorch running variance: right (1.275).", Line(() => MovingAverageExercises.PyTorchRunningVariance(1.275)));
        Wrong(() => MovingAverageExercises.PyTorchRunningVariance(1.2));   // the biased variance
        NotAnswered(() => MovingAverageExercises.PyTorchRunningVariance(double.NaN));
    }

    [Fact]
    public void Iterations_to_99_percent_need_the_count_and_the_fraction()
    {
        // 0.9^44 = 0.0096977 → 0.9903; 0.9^43 = 0.0107752 → 0.9892 (short of 0.99)
        Assert.Equal("✅ Exercise 3 · iterations to 99 %: right (44, 0.9903).", Line(() => MovingAverageExercises.IterationsTo99Percent(44, 0.9903)));
        Wrong(() => MovingAverageExercises.IterationsTo99Percent(43, 0.9892));
        Wrong(() => MovingAverageExercises.IterationsTo99Percent(44, 0.99));     // the count right, the fraction a guess
        Wrong(() => MovingAverageExercises.IterationsTo99Percent(45, 0.9903));
        NotAnswered(() => MovingAverageExercises.IterationsTo99Percent(null, 0.9903));
        NotAnswered(() => MovingAverageExercises.IterationsTo99Percent(44, double.NaN));
    }

    // 1000 points ±1: mean 0, population std exactly 1.
    private static readonly double[] Points = [.. Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? 1.0 : -1.0)];

    // A stand-in for the notebook's MakeBatches: 500 one-value batches ±seed/m, whose means have a population std of
    // exactly seed/m; averaged over seeds 1 … 10 that is 5.5/m.
    private static double[][] FakeBatches(double[] data, int m, int count, ulong seed)
    {
        Assert.Same(Points, data);
        Assert.Equal(500, count);
        return [.. Enumerable.Range(0, count).Select(k => new[] { (k % 2 == 0 ? 1 : -1) * (double)seed / m })];
    }

    // σ/√m·√((1000 − m)/999) with σ = 1: m = 16: 0.25·0.9924645, m = 64: 0.125·0.9679526, m = 256: 0.0625·0.8629835.
    private static readonly double[] Predicted = [0.2481161, 0.1209941, 0.0539366];

    // 5.5/m for m = 16, 64, 256.
    private static readonly double[] Measured = [0.34375, 0.0859375, 0.021484375];

    [Fact]
    public void Batch_mean_noise_measures_with_the_population_std()
    {
        // The sample std of the 500 means (÷ 499) is √(500/499) = 1.001 times larger: 0.3441 for m = 16, off by 0.0003.
        Wrong(() => MovingAverageExercises.BatchMeanNoise(Predicted, [0.34375 * Math.Sqrt(500.0 / 499), 0.0859375, 0.0214844], Points, FakeBatches));
    }

    [Fact]
    public void Batch_mean_noise_predicted_and_measured_over_the_sweep()
    {
        string right = Line(() => MovingAverageExercises.BatchMeanNoise(Predicted, Measured, Points, FakeBatches));
        Assert.StartsWith("✅", right, StringComparison.Ordinal);
        Assert.Contains("[0.248116, 0.120994, 0.053937], [0.34", right, StringComparison.Ordinal);
        Wrong(() => MovingAverageExercises.BatchMeanNoise([0.25, 0.125, 0.0625], Measured, Points, FakeBatches));   // no finite-population factor
        Wrong(() => MovingAverageExercises.BatchMeanNoise(Predicted, [0.34375, 0.0859375], Points, FakeBatches));  // one measurement missing
        Wrong(() => MovingAverageExercises.BatchMeanNoise(Predicted, Predicted, Points, FakeBatches));             // the prediction twice
        NotAnswered(() => MovingAverageExercises.BatchMeanNoise(Predicted, null, Points, FakeBatches));
        NotAnswered(() => MovingAverageExercises.BatchMeanNoise([double.NaN, 0.1, 0.05], Measured, Points, FakeBatches));
    }

    [Fact]
    public void Batch_mean_noise_refuses_too_little_data() =>
        Assert.Throws<ArgumentException>(() => MovingAverageExercises.BatchMeanNoise(Predicted, Measured, new double[100], FakeBatches));

    [Fact]
    public void Eval_mode_trace_needs_the_running_variance_and_mean()
    {
        // Only the training-mode calls update. Mean: 0.1·2.5 = 0.25, then 0.9·0.25 + 0.1·5.5 = 0.775.
        // Variance (unbiased, m = 2): [1, 4] has 4.5, so 0.9·1 + 0.1·4.5 = 1.35; [2, 9] has 24.5, so 0.9·1.35 + 0.1·24.5 = 3.665.
        Assert.Equal("✅ Exercise 5 · eval mode and the running statistics: right (3.665, 0.7750).",
            Line(() => MovingAverageExercises.EvalModeTrace(3.665, 0.775)));
        Wrong(() => MovingAverageExercises.EvalModeTrace(3.67, 0.775));     // 3 significant digits: 3.665 lies on a rounding tie, so 4 are asked
        Wrong(() => MovingAverageExercises.EvalModeTrace(2.2375, 0.775));   // biased batch variances: 0.9·1.125 + 0.1·12.25
        Wrong(() => MovingAverageExercises.EvalModeTrace(3.665, 2.467));    // mean with all four calls blended in: 0.5, 0.7, 2.13, 2.467
        Wrong(() => MovingAverageExercises.EvalModeTrace(1.35, 0.25));      // stopped after the first training call
        NotAnswered(() => MovingAverageExercises.EvalModeTrace(double.NaN, 0.775));
        NotAnswered(() => MovingAverageExercises.EvalModeTrace(3.665, double.NaN));
    }

    // Stand-ins for answer cells: the kernel compiles each cell to a class whose fields are the cell's variables, and
    // the check reads the code of the classes that declare the answer fields its caller loads.
    private static class LibraryCells
    {
        public static readonly double answer1 = Keras();
        public static readonly double answer2 = NotebookHelpers.PyTorchVariance();   // through a function of the student's
        public static readonly int? answer3 = Count().Seen;
        public static readonly double answer3Fraction = Count().Mean;
        public static readonly double answer5Mean = Trace();

        private static double Keras()
        {
            var statistics = new RunningStatistics<double>(1, BatchNormConvention.Keras);
            for (int t = 0; t < 10; t++)
            {
                statistics.Update([t < 5 ? 2.0 : 4.0], [1.0], 100);
            }

            return statistics.Mean[0];
        }

        private static (int Seen, double Mean) Count()
        {
            var statistics = new RunningStatistics<double>(1, BatchNormConvention.PyTorch);
            while (statistics.Mean[0] < 0.99)
            {
                statistics.Update([1.0], [1.0], 2);
            }

            return ((int)statistics.BatchesSeen, statistics.Mean[0]);
        }

        private static double Trace()
        {
            var layer = new BatchNorm1d<double>(1);
            foreach (var (training, batch) in new[] { (false, new[] { 4.0, 6.0 }), (true, [1.0, 4.0]), (false, [10.0, 20.0]), (true, [2.0, 9.0]) })
            {
                layer.Training = training;
                layer.Forward(Matrix<double>.FromRows([.. batch.Select(v => new[] { v })]));
            }

            return layer.Running.Mean[0];
        }
    }

    private static class NotebookHelpers
    {
        public static double PyTorchVariance()
        {
            var statistics = new RunningStatistics<double>(1, BatchNormConvention.PyTorch);
            statistics.Update([0.0], [3.0], 5);
            return statistics.Variance[0];
        }
    }

    private static class HandCells
    {
        public static readonly double answer1 = (2 * (Math.Pow(0.99, 5) - Math.Pow(0.99, 10))) + (4 * (1 - Math.Pow(0.99, 5)));
        public static readonly double answer5Mean = (0.9 * 0.25) + (0.1 * 5.5);
    }

    [Fact]
    public void Answer_cells_that_run_the_library_are_rejected_though_the_numbers_are_right()
    {
        string keras = Line(() => MovingAverageExercises.KerasAfterTenIterations(LibraryCells.answer1));
        Assert.StartsWith("❌", keras, StringComparison.Ordinal);
        Assert.Contains("RunningStatistics.new, RunningStatistics.Update, RunningStatistics.Mean", keras, StringComparison.Ordinal);
        string variance = Line(() => MovingAverageExercises.PyTorchRunningVariance(LibraryCells.answer2));
        Assert.Contains("RunningStatistics.Update (in PyTorchVariance)", variance, StringComparison.Ordinal);
        Wrong(() => MovingAverageExercises.PyTorchRunningVariance(LibraryCells.answer2));
        Wrong(() => MovingAverageExercises.IterationsTo99Percent(LibraryCells.answer3, LibraryCells.answer3Fraction));
        Assert.Contains("BatchNorm1d.Forward", Line(() => MovingAverageExercises.EvalModeTrace(3.665, LibraryCells.answer5Mean)), StringComparison.Ordinal);

        // The same numbers worked out by hand pass: the values are right, only the library call is rejected.
        Assert.Equal(LibraryCells.answer1, HandCells.answer1, 12);
        Assert.StartsWith("✅", Line(() => MovingAverageExercises.KerasAfterTenIterations(HandCells.answer1)), StringComparison.Ordinal);
        Assert.StartsWith("✅", Line(() => MovingAverageExercises.EvalModeTrace(3.665, HandCells.answer5Mean)), StringComparison.Ordinal);
    }
}
