namespace BatchNormNotebooks;

/// <summary>One arm of the controlled study: a label, where batch norm sits, and whether the inputs are standardized
/// (with the training set's mean and std) before the network sees them.</summary>
public sealed record StudyArm(string Name, BatchNormPlacement Placement, bool StandardizeInputs = false);
