namespace BatchNormNotebooks;

/// <summary>The shared settings of every arm: network widths and depth, SGD with momentum, steps and batch size.</summary>
/// <param name="Hidden">Units per hidden layer.</param>
/// <param name="HiddenLayers">Hidden blocks (each Linear → [BN] → sigmoid → [BN]).</param>
/// <param name="Steps">Mini-batch steps per run.</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="LearningRate">η of SGD.</param>
/// <param name="Momentum">μ of SGD (PyTorch's heavy ball; 0 turns it off).</param>
public sealed record StudyOptions(int Hidden = 8, int HiddenLayers = 2, int Steps = 300, int BatchSize = 32, double LearningRate = 0.1, double Momentum = 0.9);
