namespace BatchNormNotebooks;

/// <summary>The loss landscape along the gradient at several checkpoints of one training run.</summary>
/// <param name="Steps">Training steps at which it was measured.</param>
/// <param name="Range">max − min of the loss over θ − ηg for η ∈ {0} ∪ etas.</param>
/// <param name="GradientChange">max over η of ‖∇L(θ − ηg) − g‖₂.</param>
/// <param name="Beta">Effective β-smoothness: max over η of ‖∇L(θ − ηg) − g‖₂ / (η‖g‖₂).</param>
/// <param name="GradientNorm">‖g‖₂ at the checkpoint.</param>
public sealed record LandscapeTrace(double[] Steps, double[] Range, double[] GradientChange, double[] Beta, double[] GradientNorm);
