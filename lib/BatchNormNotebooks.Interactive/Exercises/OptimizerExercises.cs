using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The exercises of notebooks/06-optimizers: each method computes its expected value here, with the library (never
/// in the notebook's check cell, where a student could print it), and prints one verdict through
/// <see cref="Exercise.Report"/>: ✅ naming the expected value, ❌ with a hint, or "not answered" (NaN or null).
/// </summary>
public static class OptimizerExercises
{
    /// <summary>
    /// What exercise 5 must not call: the library's optimizers (and the helpers that run one) compute the answer
    /// outright (the check reads the answer cell's compiled code, <see cref="AnswerCells"/>).
    /// </summary>
    internal static readonly Type[] OptimizerTypes =
        [typeof(Optimizer<>), typeof(Sgd<>), typeof(Adagrad<>), typeof(RmsProp<>), typeof(Adam<>), typeof(AdamW<>)];

    /// <summary>Exercise 1's heavy-ball momentum μ and curvature λ.</summary>
    public const double BoundMomentum = 0.5, BoundCurvature = 8;

    /// <summary>Exercise 5's run: PyTorch's SGD with momentum on Rosenbrock from its start.</summary>
    public const double TrajectoryLearningRate = 1e-4, TrajectoryMomentum = 0.9;

    /// <summary>Exercise 5's number of steps.</summary>
    public const int TrajectorySteps = 200;

    /// <summary>
    /// Exercise 1: the interval of η in which the characteristic roots of heavy-ball momentum (μ = 0.5) on a quadratic
    /// of curvature λ = 8 are complex (where its rate per step is exactly √μ) — both ends, 3 significant digits each,
    /// one verdict. The ends are found by bisection on the sign of the discriminant of z² − (1 + μ − ηλ)z + μ, starting
    /// from ηλ = 1 + μ, where the roots are complex (±i√μ).
    /// </summary>
    public static void ComplexRootBand(double low, double high)
    {
        double centre = 1 + BoundMomentum;
        double lowEnd = Boundary(0, centre) / BoundCurvature, highEnd = Boundary(2 * centre, centre) / BoundCurvature;
        ExerciseParts.Report("1 · the η band of complex roots",
            [ExerciseParts.Digits(low, lowEnd, 3), ExerciseParts.Digits(high, highEnd, 3)],
            "The roots of z² − (1 + μ − ηλ)z + μ are complex while the discriminant is negative: solve (1 + μ − ηλ)² < 4μ for η — it is not the stability bound.",
            $"{ExerciseParts.Digits(lowEnd, 3)}, {ExerciseParts.Digits(highEnd, 3)}");
    }

    /// <summary>The ηλ between <paramref name="real"/> (real roots) and <paramref name="complex"/> (complex roots) where the discriminant changes sign.</summary>
    private static double Boundary(double real, double complex)
    {
        for (int k = 0; k < 80; k++)
        {
            double mid = (real + complex) / 2, b = 1 + BoundMomentum - mid;
            if ((b * b) - (4 * BoundMomentum) < 0)
            {
                complex = mid;
            }
            else
            {
                real = mid;
            }
        }

        return (real + complex) / 2;
    }

    /// <summary>
    /// Exercise 2: the step t at which the library's Adam without bias correction (η = 0.01, β₁ = 0.8, β₂ = 0.999,
    /// the gradient 5 at every step) takes its largest step, and that step in units of η (3 significant digits) — one
    /// verdict. An answer cell that runs one of the library's optimizers is rejected.
    /// </summary>
    public static void UncorrectedAdamPeak(int? step, double size)
    {
        if (CalledAnOptimizer("2 · the uncorrected step's peak", "write out m_t and v_t under a constant gradient from Adam's update rule"))
        {
            return;
        }

        const double eta = 0.01;
        var p = new Parameter<double>("θ", [0.0]);
        var adam = new Adam<double>([p], eta, beta1: 0.8, beta2: 0.999, biasCorrection: false);
        double largest = 0;
        int at = 0;
        for (int t = 1; t <= 1000; t++)
        {
            double before = p.Value[0];
            p.Grad[0] = 5;
            adam.Step();
            double stepSize = Math.Abs(p.Value[0] - before) / eta;
            if (stepSize > largest)
            {
                (largest, at) = (stepSize, t);
            }
        }

        ExerciseParts.Report("2 · the uncorrected step's peak",
            [step is null ? null : step == at, ExerciseParts.Digits(size, largest, 3)],
            "Under a constant gradient m_t = (1 − β₁^t)g and v_t = (1 − β₂^t)g², so the uncorrected step is η(1 − β₁^t)/√(1 − β₂^t): tabulate it over t.",
            $"{ExerciseParts.Whole(at)}, {ExerciseParts.Digits(largest, 3)}");
    }

    /// <summary>
    /// Exercise 3: θ₅ of the library's AdamW and of its Adam with coupled L2 (both η = 0.1, λ_wd = 0.5, β₁ = 0.9,
    /// β₂ = 0.999) from θ₀ = 2 when the loss's own gradient is 0.5 at every step — 4 significant digits each, one verdict.
    /// An answer cell that runs one of the library's optimizers is rejected.
    /// </summary>
    public static void AdamWVersusL2(double adamW, double adamL2)
    {
        if (CalledAnOptimizer("3 · AdamW vs Adam + L2", "apply both update rules step by step yourself"))
        {
            return;
        }

        double decoupled = FiveSteps(p => new AdamW<double>(p, 0.1, weightDecay: 0.5));
        double coupled = FiveSteps(p => new Adam<double>(p, 0.1, weightDecay: 0.5));
        ExerciseParts.Report("3 · AdamW vs Adam + L2",
            [ExerciseParts.Digits(adamW, decoupled, 4), ExerciseParts.Digits(adamL2, coupled, 4)],
            "AdamW shrinks θ by 1 − ηλ_wd and then takes Adam's step on g alone; Adam + L2 feeds g + λ_wd·θ into m and v, so the decay goes through the division by √v̂.",
            $"{ExerciseParts.Digits(decoupled, 4)}, {ExerciseParts.Digits(coupled, 4)}");
    }

    /// <summary>θ₅ from θ₀ = 2 with the loss gradient 0.5 at every step (the optimizer adds its own decay).</summary>
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

    /// <summary>
    /// Exercise 4: the optimizer whose best held-out loss without batch norm (per seed the minimum over the η grid),
    /// averaged over the seeds, is lowest — its name and that average (3 significant digits), one verdict.
    /// </summary>
    /// <param name="name">The student's optimizer name (as in the legend).</param>
    /// <param name="loss">The student's average best loss.</param>
    /// <param name="optimizers">The optimizers' names.</param>
    /// <param name="learningRates">The η grid.</param>
    /// <param name="seeds">The seeds.</param>
    /// <param name="heldOutLoss">(optimizer, η, seed) → held-out loss of that run without batch norm (∞ if it diverged).</param>
    public static void BestWithoutBatchNorm(string? name, double loss, IEnumerable<string> optimizers, IReadOnlyList<double> learningRates,
        IReadOnlyList<ulong> seeds, Func<string, double, ulong, double> heldOutLoss) =>
        LowestAverageBest(name, loss, optimizers, learningRates, seeds, heldOutLoss, "4 · best optimizer without BN and its average best loss",
            "Per seed, the minimum over η of the held-out loss without BN (the helper Best(false, c, s) computes it); then the mean over the five seeds, for each optimizer.");

    /// <summary>
    /// Exercise 4 (a quantity the notebook does not display): the optimizer whose best final training loss without batch norm
    /// (the mean of its last 20 mini-batch losses, <c>TrainingHistory.FinalLoss()</c>; per seed the minimum over the η grid),
    /// averaged over the seeds, is lowest — its name and that average (3 significant digits), one verdict.
    /// </summary>
    /// <param name="name">The student's optimizer name (as in the legend).</param>
    /// <param name="loss">The student's average best training loss.</param>
    /// <param name="optimizers">The optimizers' names.</param>
    /// <param name="learningRates">The η grid.</param>
    /// <param name="seeds">The seeds.</param>
    /// <param name="trainingLoss">(optimizer, η, seed) → final training loss of that run without batch norm (∞ if it diverged).</param>
    public static void LowestTrainingLossWithoutBatchNorm(string? name, double loss, IEnumerable<string> optimizers, IReadOnlyList<double> learningRates,
        IReadOnlyList<ulong> seeds, Func<string, double, ulong, double> trainingLoss) =>
        LowestAverageBest(name, loss, optimizers, learningRates, seeds, trainingLoss, "4 · lowest training loss without BN and its average",
            "Per run, FinalLoss() (the mean of the last 20 mini-batch losses, in training mode); per seed the minimum over η without BN; then the mean over the five seeds, for each optimizer.");

    private static void LowestAverageBest(string? name, double loss, IEnumerable<string> optimizers, IReadOnlyList<double> learningRates,
        IReadOnlyList<ulong> seeds, Func<string, double, ulong, double> heldOutLoss, string title, string hint)
    {
        ArgumentNullException.ThrowIfNull(optimizers);
        ArgumentNullException.ThrowIfNull(learningRates);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(heldOutLoss);
        var names = optimizers.ToList();
        if (names.Count == 0 || learningRates.Count == 0 || seeds.Count == 0)
        {
            throw new ArgumentException($"Exercise 4 needs optimizers, learning rates and seeds; got {names.Count}, {learningRates.Count} and {seeds.Count}.");
        }

        double MeanBest(string o) => seeds.Average(s => learningRates.Min(lr => heldOutLoss(o, lr, s)));
        string best = names.MinBy(MeanBest)!;
        double bestLoss = MeanBest(best);
        ExerciseParts.Report(title, [ExerciseParts.Same(name, best), ExerciseParts.Digits(loss, bestLoss, 3)], hint, $"{best}, {ExerciseParts.Digits(bestLoss, 3)}");
    }

    /// <summary>
    /// Exercise 5: the point after <see cref="TrajectorySteps"/> steps of the library's SGD with momentum 0.9
    /// (η = 10⁻⁴, PyTorch's form b ← μb + g, θ ← θ − ηb) on Rosenbrock from its start, to 10⁻⁹. An answer cell that
    /// runs one of the library's optimizers (or <c>TestFunction.Trajectory</c>, which needs one) is rejected.
    /// </summary>
    public static void MomentumFromTheUpdateRule(double[]? answer)
    {
        if (CalledAnOptimizer("5 · momentum from the update rule", "a loop over rosen.Gradient(x, y) with your own momentum buffer"))
        {
            return;
        }

        var (x, y) = TestFunctions.Rosenbrock.Trajectory(p => new Sgd<double>(p, TrajectoryLearningRate, momentum: TrajectoryMomentum), TrajectorySteps);
        Exercise.Check("5 · momentum from the update rule", answer, [x[^1], y[^1]], tolerance: 1e-9,
            hint: "One buffer per coordinate; PyTorch adds the whole gradient to the decayed buffer (no (1 − μ) factor) and steps with the buffer, not the gradient.");
    }

    /// <summary>Rejects an answer cell that runs one of the library's optimizers (<see cref="OptimizerTypes"/>, or
    /// <c>TestFunction.Trajectory</c>, which needs one); true when it did (the ❌ verdict is printed).</summary>
    private static bool CalledAnOptimizer(string name, string instead)
    {
        var calls = AnswerCells.LibraryCalls(OptimizerTypes, ["TestFunction.Trajectory"]);
        if (calls.Count > 0)
        {
            AnswerCells.Reject(name, calls, instead);
        }

        return calls.Count > 0;
    }
}
