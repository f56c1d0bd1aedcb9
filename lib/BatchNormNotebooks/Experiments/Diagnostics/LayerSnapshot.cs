namespace BatchNormNotebooks;

/// <summary>One tanh layer's values on one mini-batch: its outputs a and the gradient ∂L/∂a flowing into it.</summary>
/// <param name="Layer">Which hidden layer, 1…Depth.</param>
/// <param name="Activations">tanh outputs a, all batch × hidden values.</param>
/// <param name="Gradients">∂L/∂a (the gradient the tanh layer receives in backward), same length.</param>
public sealed record LayerSnapshot(int Layer, double[] Activations, double[] Gradients);
