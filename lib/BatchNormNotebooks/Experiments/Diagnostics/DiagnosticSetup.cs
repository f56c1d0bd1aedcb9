namespace BatchNormNotebooks;

/// <summary>The network and training settings of a diagnostic run (notebooks/08-what-batchnorm-does).</summary>
/// <param name="Hidden">Units per hidden layer.</param>
/// <param name="Depth">Hidden layers, each Linear → [BatchNorm1d] → Tanh; one more Linear maps to the classes.</param>
/// <param name="Steps">Plain-SGD steps (updates).</param>
/// <param name="BatchSize">Examples per step, drawn from a seeded reshuffle each epoch.</param>
/// <param name="LearningRate">η of the SGD update θ ← θ − η·∂L/∂θ.</param>
/// <param name="SaturationThreshold">A tanh unit counts as saturated when |tanh(z)| exceeds this (default 0.97,
/// Karpathy's makemore part 3; there tanh′ = 1 − tanh² &lt; 0.059).</param>
public sealed record DiagnosticSetup(int Hidden = 50, int Depth = 5, int Steps = 300, int BatchSize = 32, double LearningRate = 0.1,
    double SaturationThreshold = 0.97);
