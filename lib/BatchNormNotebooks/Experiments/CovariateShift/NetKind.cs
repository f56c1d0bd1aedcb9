namespace BatchNormNotebooks;

/// <summary>The networks compared in notebooks/02-internal-covariate-shift.</summary>
public enum NetKind
{
    /// <summary>No batch norm; Linear's default init, W and b uniform in [−1/√in, 1/√in] (PyTorch's default).</summary>
    NoBatchNorm,

    /// <summary>No batch norm; Glorot uniform init scaled for sigmoids (gain <see cref="CovariateShiftExperiments.SigmoidGlorotGain"/>), zero biases.</summary>
    NoBatchNormGlorot,

    /// <summary>Linear (no bias) → BatchNorm1d → sigmoid in every hidden layer.</summary>
    BatchNorm,

    /// <summary>Linear (no bias) → <see cref="NoisyBatchNorm{T}"/> → sigmoid in every hidden layer.</summary>
    NoisyBatchNorm,
}
