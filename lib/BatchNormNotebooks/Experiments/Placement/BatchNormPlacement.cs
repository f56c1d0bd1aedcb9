namespace BatchNormNotebooks;

/// <summary>Where a hidden block of <see cref="PlacementStudy.Network"/> puts its batch norm.</summary>
public enum BatchNormPlacement
{
    /// <summary>Linear → g: no batch norm.</summary>
    None,

    /// <summary>Linear (no bias) → BN → g: the paper's choice, z → z^N → g(z^N).</summary>
    BeforeActivation,

    /// <summary>Linear → g → BN: normalizes the activation a after the nonlinearity.</summary>
    AfterActivation,
}
