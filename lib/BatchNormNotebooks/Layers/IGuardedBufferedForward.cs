using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>A library layer whose buffered forward can also keep x the way its public <c>Forward</c> does: by reference
/// under x's version stamp, copied first if x's storage is handed out. <see cref="Sequential{T}.Forward"/> calls it on
/// its first layer instead of copying x into a buffer of its own (issue 22: at the MLP's (60, 784) that copy was
/// 188 KB a step).</summary>
internal interface IGuardedBufferedForward<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Forward into the layer's own buffer (valid until its next forward, as with
    /// <see cref="ILayer{T}.ForwardBuffered"/>); x is kept guarded: assigning an element of x before the backward makes
    /// the backward throw, and writes through a handed-out array never reach the gradients.</summary>
    Matrix<T> ForwardBufferedGuarded(Matrix<T> x);
}
