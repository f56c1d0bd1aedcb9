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
    public void Largest_stable_learning_rate()
    {
        // ηλ < 2 + 2μ = 3.2 with λ = 7: η < 0.4571429
        Assert.Equal("✅ Exercise 1 · largest stable η: right (0.457).", Line(() => OptimizerExercises.LargestStableLearningRate(0.4571)));
        Wrong(() => OptimizerExercises.LargestStableLearningRate(2.0 / 7));   // the bound without momentum
        Wrong(() => OptimizerExercises.LargestStableLearningRate(0.46));
        NotAnswered(() => OptimizerExercises.LargestStableLearningRate(double.NaN));
    }

    [Fact]
    public void Uncorrected_Adam_first_steps()
    {
        // step 1: η(1 − β₁)g/√((1 − β₂)g²) = 0.01·0.2/√0.001 = 0.0632456;
        // step 2: m₂ = 0.8·1 + 0.2·5 = 1.8, v₂ = 0.999·0.025 + 0.001·25 = 0.049975, 0.01·1.8/√0.049975 = 0.0805186
        Assert.Equal("✅ Exercise 2 · first two uncorrected steps: right (0.0632, 0.0805).",
            Line(() => OptimizerExercises.UncorrectedAdamFirstSteps(0.06325, 0.08052)));
        Wrong(() => OptimizerExercises.UncorrectedAdamFirstSteps(0.01, 0.01));         // the corrected steps, η
        Wrong(() => OptimizerExercises.UncorrectedAdamFirstSteps(0.06325, 0.06325));   // the second step taken equal to the first
        Wrong(() => OptimizerExercises.UncorrectedAdamFirstSteps(0.02, 0.08052));      // β₂ = 0.99's first step
        NotAnswered(() => OptimizerExercises.UncorrectedAdamFirstSteps(0.06325, double.NaN));
    }

    [Fact]
    public void Decoupled_decay_alone()
    {
        // 2·0.95^10 = 2·0.5987369 = 1.1974738
        Assert.Equal("✅ Exercise 3 · AdamW with g = 0: right (1.197).", Line(() => OptimizerExercises.DecoupledDecayAlone(1.1975)));
        Wrong(() => OptimizerExercises.DecoupledDecayAlone(1.0));   // 2·(1 − 10·0.05): added up
        NotAnswered(() => OptimizerExercises.DecoupledDecayAlone(double.NaN));
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
        public static readonly double answer2First = Steps()[0], answer2Second = Steps()[1];
        public static readonly double answer3 = DecayAlone();

        private static double[] Steps()
        {
            var p = new Parameter<double>("θ", [0.0]);
            var adam = new Adam<double>([p], 0.01, beta1: 0.8, beta2: 0.999, biasCorrection: false);
            p.Grad[0] = 5;
            adam.Step();
            double first = Math.Abs(p.Value[0]), before = p.Value[0];
            p.Grad[0] = 5;
            adam.Step();
            return [first, Math.Abs(p.Value[0] - before)];
        }

        private static double DecayAlone()
        {
            var p = new Parameter<double>("θ", [2.0]);
            var adamW = new AdamW<double>([p], 0.1, weightDecay: 0.5);
            for (int t = 0; t < 10; t++)
            {
                adamW.Step();
            }

            return p.Value[0];
        }
    }

    [Fact]
    public void Answer_cells_that_run_the_library_Adam_or_AdamW_are_rejected_though_the_numbers_are_right()
    {
        Assert.Equal(0.0632456, AdamCells.answer2First, 6);   // the right numbers (worked out by hand above)
        Assert.Equal(0.0805186, AdamCells.answer2Second, 6);
        Assert.Equal(2 * Math.Pow(0.95, 10), AdamCells.answer3, 9);
        string line2 = Line(() => OptimizerExercises.UncorrectedAdamFirstSteps(AdamCells.answer2First, AdamCells.answer2Second));
        Assert.StartsWith("❌", line2, StringComparison.Ordinal);
        Assert.Contains("Adam.new", line2, StringComparison.Ordinal);
        string line3 = Line(() => OptimizerExercises.DecoupledDecayAlone(AdamCells.answer3));
        Assert.StartsWith("❌", line3, StringComparison.Ordinal);
        Assert.Contains("AdamW.new", line3, StringComparison.Ordinal);
    }
}
