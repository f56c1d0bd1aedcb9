using BatchNormNotebooks.Interactive;
using BatchNormNotebooks.Optimizers;
using static BatchNormNotebooks.Tests.Interactive.ExerciseVerdicts;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 06's exercise checks: the reference answer prints ✅ with the expected value, a planted mistake ❌, an
/// unanswered one "not answered". Expected literals are worked out by hand (or, for the trajectory, by the test's own
/// loop over the written-out gradient), not by the library.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class OptimizerExercisesTests
{
    [Fact]
    public void Complex_root_band()
    {
        // complex roots iff (1 − √0.5)² < 8η < (1 + √0.5)²: √0.5 = 0.7071068, 0.0857864/8 = 0.0107233, 2.9142136/8 = 0.3642767
        Assert.Equal("✅ Exercise 1 · the η band of complex roots: right (0.0107, 0.364).",
            Line(() => OptimizerExercises.ComplexRootBand(0.010723, 0.36428)));
        Wrong(() => OptimizerExercises.ComplexRootBand(0.010723, 3.0 / 8));   // the stability bound 0.375 as the upper end
        Wrong(() => OptimizerExercises.ComplexRootBand(0.5 / 8, 1.5 / 8));    // (1 − μ)/λ and (1 + μ)/λ: the square roots forgotten
        Wrong(() => OptimizerExercises.ComplexRootBand(0.0858, 2.914));       // ηλ, not η
        NotAnswered(() => OptimizerExercises.ComplexRootBand(0.010723, double.NaN));
    }

    [Fact]
    public void Uncorrected_Adam_peak()
    {
        // the uncorrected step / η = (1 − 0.8^t)/√(1 − 0.999^t): t = 5: 0.67232/√0.0049900 = 9.5176; t = 6: 0.737856/√0.0059850 = 9.5376;
        // t = 7: 0.7902848/√0.0069790 = 9.4599 — the peak is t = 6, 9.54
        Assert.Equal("✅ Exercise 2 · the uncorrected step's peak: right (6, 9.54).", Line(() => OptimizerExercises.UncorrectedAdamPeak(6, 9.538)));
        Wrong(() => OptimizerExercises.UncorrectedAdamPeak(1, 6.32));    // the first step taken for the largest
        Wrong(() => OptimizerExercises.UncorrectedAdamPeak(12, 6.57));   // β₁ = 0.9's peak
        Wrong(() => OptimizerExercises.UncorrectedAdamPeak(5, 9.54));    // the size right, the step not
        NotAnswered(() => OptimizerExercises.UncorrectedAdamPeak(null, 9.54));
        NotAnswered(() => OptimizerExercises.UncorrectedAdamPeak(6, double.NaN));
    }

    [Fact]
    public void AdamW_versus_L2()
    {
        // AdamW: θ ← 0.95θ − 0.1 (a constant gradient's corrected Adam step is η): 1.8, 1.61, 1.4295, 1.258025, 1.0951238.
        // Adam + L2, g_t = 0.5 + 0.5θ_{t−1}, written out by Coupled below: 1.5017790.
        Assert.Equal(1.501779, Coupled(), 6);
        Assert.Equal("✅ Exercise 3 · AdamW vs Adam + L2: right (1.095, 1.502).", Line(() => OptimizerExercises.AdamWVersusL2(1.0951, 1.5018)));
        Wrong(() => OptimizerExercises.AdamWVersusL2(1.0951, 1.0951));   // Adam + L2 taken for the same as AdamW
        Wrong(() => OptimizerExercises.AdamWVersusL2(1.5018, 1.0951));   // swapped
        Wrong(() => OptimizerExercises.AdamWVersusL2(1.118, 1.5018));    // AdamW's decay applied after the step: (θ − 0.1)·0.95 five times, 1.1177
        Wrong(() => OptimizerExercises.AdamWVersusL2(1.0951, 1.5));      // Adam + L2 guessed as 2 − 5η
        NotAnswered(() => OptimizerExercises.AdamWVersusL2(double.NaN, 1.5018));
    }

    // Adam with coupled L2 (λ = 0.5, η = 0.1, β = 0.9, 0.999, ε = 10⁻⁸) from θ₀ = 2 with the loss gradient 0.5: five steps written out.
    private static double Coupled()
    {
        double theta = 2, m = 0, v = 0;
        for (int t = 1; t <= 5; t++)
        {
            double g = 0.5 + (0.5 * theta);
            m = (0.9 * m) + (0.1 * g);
            v = (0.999 * v) + (0.001 * g * g);
            theta -= 0.1 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);
        }

        return theta;
    }

    // Held-out losses (optimizer, η, seed): A's best per seed 0.3 and 0.2 (mean 0.25); B's 0.26 and 0.27 (mean 0.265);
    // B diverged (∞) at η = 1 on seed 1.
    private static double Loss(string optimizer, double lr, ulong seed) => (optimizer, lr, seed) switch
    {
        ("A", 0.1, 1) => 0.5,
        ("A", 1, 1) => 0.3,
        ("A", 0.1, 2) => 0.2,
        ("A", 1, 2) => 0.4,
        ("B", 0.1, 1) => 0.26,
        ("B", 1, 1) => double.PositiveInfinity,
        ("B", 0.1, 2) => 0.27,
        ("B", 1, 2) => 0.9,
        _ => throw new ArgumentException("not in the table"),
    };

    private static void Best(string? name, double loss) =>
        OptimizerExercises.BestWithoutBatchNorm(name, loss, ["A", "B"], [0.1, 1], [1UL, 2UL], Loss);

    [Fact]
    public void Best_without_batch_norm_needs_the_name_and_the_loss()
    {
        Assert.Equal("✅ Exercise 4 · best optimizer without BN and its average best loss: right (A, 0.250).", Line(() => Best(" a ", 0.25)));
        Wrong(() => Best("B", 0.265));
        Wrong(() => Best("A", 0.265));
        Wrong(() => Best("A", 0.35));   // the mean of the best η's losses taken over the seeds first: (0.35 + 0.35)/2
        NotAnswered(() => Best(null, 0.25));
        NotAnswered(() => Best("A", double.NaN));
        Assert.Throws<ArgumentException>(() => OptimizerExercises.BestWithoutBatchNorm("A", 0.25, [], [0.1], [1UL], Loss));
    }

    [Fact]
    public void Lowest_training_loss_without_batch_norm_needs_the_name_and_the_loss()
    {
        void Lowest(string? name, double loss) =>
            OptimizerExercises.LowestTrainingLossWithoutBatchNorm(name, loss, ["A", "B"], [0.1, 1], [1UL, 2UL], Loss);
        Assert.Equal("✅ Exercise 4 · lowest training loss without BN and its average: right (A, 0.250).", Line(() => Lowest("A", 0.25)));
        Wrong(() => Lowest("B", 0.265));
        Wrong(() => Lowest("A", 0.265));
        Wrong(() => Lowest("A", 0.35));   // the best η of the seed-averaged losses instead of the per-seed best
        NotAnswered(() => Lowest(null, 0.25));
        Assert.Throws<ArgumentException>(() => OptimizerExercises.LowestTrainingLossWithoutBatchNorm("A", 0.25, ["A"], [], [1UL], Loss));
    }

    // PyTorch's momentum on Rosenbrock, written out here: b ← μb + ∇f, θ ← θ − ηb, from (−2, 2).
    private static double[] Momentum(double dampening)
    {
        double x = -2, y = 2, bx = 0, by = 0;
        for (int t = 0; t < 200; t++)
        {
            double gx = (-2 * (1 - x)) - (400 * x * (y - (x * x))), gy = 200 * (y - (x * x));
            bx = (0.9 * bx) + ((1 - dampening) * gx);
            by = (0.9 * by) + ((1 - dampening) * gy);
            x -= 1e-4 * bx;
            y -= 1e-4 * by;
        }

        return [x, y];
    }

    [Fact]
    public void Momentum_from_the_update_rule()
    {
        Assert.StartsWith("✅", Line(() => OptimizerExercises.MomentumFromTheUpdateRule(Momentum(0))), StringComparison.Ordinal);
        Wrong(() => OptimizerExercises.MomentumFromTheUpdateRule(Momentum(0.9)));   // the dampened (averaging) form
        NotAnswered(() => OptimizerExercises.MomentumFromTheUpdateRule(null));
    }

    // Stand-ins for answer cells (the kernel compiles each cell to a class whose fields are its variables).
    private static class LibraryCells
    {
        public static readonly double[] answer5 = Run(p => new Sgd<double>(p, 1e-4, momentum: 0.9));

        // Trajectory with an optimizer made elsewhere: the cell names no optimizer, but runs one.
        public static readonly Func<IReadOnlyList<Parameter<double>>, Optimizer<double>> MadeElsewhere = p => new Sgd<double>(p, 1e-4, momentum: 0.9);

        private static double[] Run(Func<IReadOnlyList<Parameter<double>>, Optimizer<double>> make)
        {
            var (x, y) = TestFunctions.Rosenbrock.Trajectory(make, 200);
            return [x[^1], y[^1]];
        }
    }

    private static class IndirectCell
    {
        public static readonly double[] answer5 = Run();

        private static double[] Run()
        {
            var (x, y) = TestFunctions.Rosenbrock.Trajectory(p => LibraryCells.MadeElsewhere(p), 200);
            return [x[^1], y[^1]];
        }
    }

    [Fact]
    public void An_answer_cell_that_runs_the_library_optimizer_is_rejected_though_the_point_is_right()
    {
        Assert.All(Momentum(0).Zip(LibraryCells.answer5), p => Assert.Equal(p.First, p.Second, 9));   // the right point
        string line = Line(() => OptimizerExercises.MomentumFromTheUpdateRule(LibraryCells.answer5));
        Assert.StartsWith("❌", line, StringComparison.Ordinal);
        Assert.Contains("Sgd.new", line, StringComparison.Ordinal);
        Assert.Contains("TestFunction.Trajectory", Line(() => OptimizerExercises.MomentumFromTheUpdateRule(IndirectCell.answer5)), StringComparison.Ordinal);
    }

    // Stand-ins for answer cells of exercises 2 and 3 that run the library's Adam / AdamW.
    private static class AdamCells
    {
        public static readonly double answer2Size = Peak();
        public static readonly double answer3AdamW = FiveSteps(p => new AdamW<double>(p, 0.1, weightDecay: 0.5));
        public static readonly double answer3AdamL2 = FiveSteps(p => new Adam<double>(p, 0.1, weightDecay: 0.5));

        private static double Peak()
        {
            var p = new Parameter<double>("θ", [0.0]);
            var adam = new Adam<double>([p], 0.01, beta1: 0.8, beta2: 0.999, biasCorrection: false);
            double largest = 0;
            for (int t = 0; t < 20; t++)
            {
                double before = p.Value[0];
                p.Grad[0] = 5;
                adam.Step();
                largest = Math.Max(largest, Math.Abs(p.Value[0] - before) / 0.01);
            }

            return largest;
        }

        private static double FiveSteps(Func<IReadOnlyList<Parameter<double>>, Optimizer<double>> make)
        {
            var p = new Parameter<double>("θ", [2.0]);
            var optimizer = make([p]);
            for (int t = 0; t < 5; t++)
            {
                p.Grad[0] = 0.5;
                optimizer.Step();
            }

            return p.Value[0];
        }
    }

    [Fact]
    public void Answer_cells_that_run_the_library_Adam_or_AdamW_are_rejected_though_the_numbers_are_right()
    {
        Assert.Equal(9.5376, AdamCells.answer2Size, 4);   // the right numbers (worked out by hand above)
        Assert.Equal(2 * Math.Pow(0.95, 5) - (0.1 * (1 - Math.Pow(0.95, 5)) / 0.05), AdamCells.answer3AdamW, 6);
        Assert.Equal(Coupled(), AdamCells.answer3AdamL2, 9);
        string line2 = Line(() => OptimizerExercises.UncorrectedAdamPeak(6, AdamCells.answer2Size));
        Assert.StartsWith("❌", line2, StringComparison.Ordinal);
        Assert.Contains("Adam.new", line2, StringComparison.Ordinal);
        string line3 = Line(() => OptimizerExercises.AdamWVersusL2(AdamCells.answer3AdamW, AdamCells.answer3AdamL2));
        Assert.StartsWith("❌", line3, StringComparison.Ordinal);
        Assert.Contains("AdamW.new", line3, StringComparison.Ordinal);
    }
}
