using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BatchNormNotebooks;

/// <summary>A linear layer's two gradients, one per core.</summary>
/// <remarks>The backward of y = x·W needs dW = xᵀ·dy and dx = dy·Wᵀ, two products that do not depend on each other.
/// With few rows (a batch under <see cref="FreshOperandSplitRows"/>) dx = dy·Wᵀ stays on one thread (its freshly
/// transposed W would cross cores), so a split dW followed by a one-thread dx left a core idle for half the backward.
/// Here dW runs on the caller's thread and dx on a worker at the same time, each product whole on its thread: the same
/// bits as one after the other. (dW on the caller keeps it in the cache of the core whose optimizer step reads it next.
/// In the MNIST MLP's step this applies to the first layer's public Backward, whose dx has 4.7 million multiply-adds;
/// the middle layers' 600,000 stay on the caller's core, see <see cref="GradientsSideBySideThreshold"/>.)</remarks>
public static partial class MatrixProduct
{
    /// <summary>Products of at least this many multiply-adds each (m·in·out) run side by side; below it a hand-off costs
    /// more than it saves.</summary>
    /// <remarks><see cref="ParallelThreshold"/> (2^20 since 2026-12-05, 2^18 before): a layer whose products are too
    /// small to split runs its forward and both gradients on the caller's core, which keeps its weights, gradients and
    /// activations in one core's cache (the MNIST MLP's middle layers, 600,000 each; ParallelThreshold gives the
    /// measurement).</remarks>
    public const long GradientsSideBySideThreshold = ParallelThreshold;

    /// <summary>dW (in, out) = xᵀ·dy and dx (m, in) = dy·Wᵀ, for x (m, in), dy (m, out), W (in, out); the transpose buffer
    /// holds in·out elements (overwritten). With at least <see cref="GradientsSideBySideThreshold"/> multiply-adds per
    /// product and fewer than <see cref="FreshOperandSplitRows"/> rows, the two run at the same time on two cores.</summary>
    /// <remarks>Effectively computes <see cref="MultiplyTransposedA{T}"/>(x, dy, m, in, out, dW) and then
    /// <see cref="MultiplyTransposedB{T}"/>(dy, W, m, out, in, dx, transposeBuffer).</remarks>
    public static unsafe void LinearGradients<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, int m, int inFeatures, int outFeatures,
        Span<T> weightGradient, Span<T> inputGradient, Span<T> transposeBuffer)
        where T : IFloatingPointIeee754<T>
    {
        Check(x.Length, m, inFeatures, "x");
        Check(dy.Length, m, outFeatures, "dy");
        Check(weight.Length, inFeatures, outFeatures, "weight");
        Check(weightGradient.Length, inFeatures, outFeatures, "weightGradient");
        Check(inputGradient.Length, m, inFeatures, "inputGradient");
        Check(transposeBuffer.Length, outFeatures, inFeatures, "transposeBuffer");
        long each = (long)m * inFeatures * outFeatures;
        bool sideBySide = m < FreshOperandSplitRows && (each >= GradientsSideBySideThreshold || t_threadEveryProduct)
            && UseMicroKernel<T>(outFeatures) && UseMicroKernel<T>(inFeatures) && m > 0
            && ProductThreads.Available >= 2 && (ProductThreads.WorkersAwake || t_threadEveryProduct);
        if (!sideBySide || !ProductThreads.TryAcquire(2))
        {
            MultiplyTransposedA(x, dy, m, inFeatures, outFeatures, weightGradient);
            MultiplyTransposedB(dy, weight, m, outFeatures, inFeatures, inputGradient, transposeBuffer);
            return;
        }

        try
        {
            // The caller waits inside Run, so the pinned addresses stay valid for both parts.
            fixed (byte* px = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(x)), pdy = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(dy)),
                pw = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(weight)), pdw = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(weightGradient)),
                pdx = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(inputGradient)), pt = &Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(transposeBuffer)))
            {
                GradientsJob<T>.X = px;
                GradientsJob<T>.Dy = pdy;
                GradientsJob<T>.W = pw;
                GradientsJob<T>.DW = pdw;
                GradientsJob<T>.Dx = pdx;
                GradientsJob<T>.Transposed = pt;
                GradientsJob<T>.M = m;
                GradientsJob<T>.In = inFeatures;
                GradientsJob<T>.Out = outFeatures;
                ProductThreads.Run(GradientsJob<T>.Run, 2);
            }
        }
        finally
        {
            ProductThreads.Release();
        }
    }

    /// <summary>The two gradients being computed: written by the caller before the hand-off, read by both parts.</summary>
    private static unsafe class GradientsJob<T> where T : IFloatingPointIeee754<T>
    {
        public static readonly Action<int> Run = RunPart;
        public static byte* X, Dy, W, DW, Dx, Transposed;
        public static int M, In, Out;

        /// <summary>Part 0 (claimed first, normally by the caller): dW = xᵀ·dy. Part 1: dx = dy·Wᵀ, which transposes W
        /// on its own core. Each on its own thread only.</summary>
        private static void RunPart(int part)
        {
            using var alone = ProductThreads.CallerOnly();
            int m = M, inF = In, outF = Out;
            var dy = new ReadOnlySpan<T>(Dy, m * outF);
            if (part == 1)
            {
                MultiplyTransposedB(dy, new ReadOnlySpan<T>(W, inF * outF), m, outF, inF, new Span<T>(Dx, m * inF), new Span<T>(Transposed, inF * outF));
            }
            else
            {
                MultiplyTransposedA(new ReadOnlySpan<T>(X, m * inF), dy, m, inF, outF, new Span<T>(DW, inF * outF));
            }
        }
    }
}
