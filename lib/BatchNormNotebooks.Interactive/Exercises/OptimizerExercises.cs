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
    public const double BoundMomentum = 0.6, BoundCurvature = 7;

    /// <summary>Exercise 5's run: PyTorch's SGD with momentum on Rosenbrock from its start.</summary>
    public const double TrajectoryLearningRate = 1e-4, TrajectoryMomentum = 0.9;

    /// <summary>Exercise 5's number of steps.</summary>
    public const int TrajectorySteps = 200;

    /// <summary>
    /// Exercise 1: the largest η at which heavy-ball momentum (μ = 0.6) still converges on a quadratic of curvature
    /// λ = 7 — the boundary where the spectral radius of θ_{t+1} = (1 + μ − ηλ)θ_t − μθ_{t−1} reaches 1, found by
    /// bisection (3 significant digits).
    /// </summary>
    public static void LargestStableLearningRate(double answer)
    {
        double lo = 1 / BoundCurvature, hi = 10 / BoundCurvature;   // ηλ = 1 converges (radius √μ), ηλ = 10 does not
        for (int k = 0; k < 60; k++)
        {
            double mid = (lo + hi) / 2;
            if (SpectralRadius(mid * BoundCurvature, BoundMomentum) < 1)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        Exercise.CheckDigits("1 · largest stable η", answer, lo, significantDigits: 3,
            hint: "Write the two-step recursion θ_{t+1} = (1 + μ − ηλ)θ_t − μθ_{t−1} and find where a root of its characteristic polynomial crosses z = −1.");
    }

    /// <summary>The spectral radius of heavy-ball momentum on a quadratic: the largest |z| with z² − (1 + μ − ηλ)z + μ = 0.</summary>
    private static double SpectralRadius(double etaLambda, double mu)
    {
        double b = 1 + mu - etaLambda, discriminant = (b * b) - (4 * mu);
        return discriminant >= 0
            ? Math.Max(Math.Abs(b + Math.Sqrt(discriminant)), Math.Abs(b - Math.Sqrt(discriminant))) / 2
            : Math.Sqrt(mu);
    }

    /// <summary>
    /// Exercise 2: |θ₁ − θ₀| and |θ₂ − θ₁| of the library's Adam without bias correction (η = 0.01, β₁ = 0.8,
    /// β₂ = 0.999) with the gradient g = 5 at both steps (3 significant digits each, one verdict). An answer cell that
    /// runs one of the library's optimizers is rejected.
    /// </summary>
    public static void UncorrectedAdamFirstSteps(double first, double second)
    {
        if (CalledAnOptimizer("2 · first two uncorrected steps", "write out m₁, v₁, m₂ and v₂ from Adam's update rule"))
        {
            return;
        }

        var p = new Parameter<double>("θ", [0.0]);
        var adam = new Adam<double>([p], 0.01, beta1: 0.8, beta2: 0.999, biasCorrection: false);
        p.Grad[0] = 5;
        adam.Step();
        double step1 = Math.Abs(p.Value[0]), before = p.Value[0];
        p.Grad[0] = 5;
        adam.Step();
        double step2 = Math.Abs(p.Value[0] - before);
        ExerciseParts.Report("2 · first two uncorrected steps",
            [ExerciseParts.Digits(first, step1, 3), ExerciseParts.Digits(second, step2, 3)],
            "Without the correction m and v keep their (1 − β) factors; write out m₁, v₁, then m₂ = β₁m₁ + (1 − β₁)g and v₂ likewise.",
            $"{ExerciseParts.Digits(step1, 3)}, {ExerciseParts.Digits(step2, 3)}");
    }

    /// <summary>
    /// Exercise 3: θ₁₀ of the library's AdamW (η = 0.1, λ_wd = 0.5) from θ₀ = 2 with a zero gradient (4 significant digits).
    /// An answer cell that runs one of the library's optimizers is rejected.
    /// </summary>
    public static void DecoupledDecayAlone(double answer)
    {
        if (CalledAnOptimizer("3 · AdamW with g = 0", "apply AdamW's decoupled decay step by step yourself"))
        {
            return;
        }

        var p = new Parameter<double>("θ", [2.0]);
        var adamW = new AdamW<double>([p], 0.1, weightDecay: 0.5);
        for (int t = 0; t < 10; t++)
        {
            adamW.Step();
        }

        Exercise.CheckDigits("3 · AdamW with g = 0", answer, p.Value[0], significantDigits: 4,
            hint: "With g = 0, which part of AdamW's update still acts — and over ten steps, does it add up or compound?");
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
        IReadOnlyList<ulong> seeds, Func<string, double, ulong, double> heldOutLoss)
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
        ExerciseParts.Report("4 · best optimizer without BN and its average best loss",
            [ExerciseParts.Same(name, best), ExerciseParts.Digits(loss, bestLoss, 3)],
            "Per seed, the minimum over η of the held-out loss without BN (the helper Best(false, c, s) computes it); then the mean over the five seeds, for each optimizer.",
            $"{best}, {ExerciseParts.Digits(bestLoss, 3)}");
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
