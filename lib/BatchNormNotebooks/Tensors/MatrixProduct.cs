using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace BatchNormNotebooks;

/// <summary>
/// The matrix products behind <see cref="Linear{T}"/>: C += A·B for row-major matrices, plus transposes, so that
/// forward (x·W), the input gradient (dy·Wᵀ) and the weight gradient (xᵀ·dy) all run the same SIMD inner loop.
/// </summary>
/// <remarks>The inner loop adds four rows of B, scaled by four entries of A, into a row of C per pass over C
/// (an "axpy" kernel unrolled over the inner dimension), with <see cref="Vector{T}"/> across the columns.
/// No allocation on the hot path; the transposes use pooled buffers.</remarks>
public static class MatrixProduct
{
    /// <summary>C += A·B. A has shape (m, k), B (k, n), C (m, n), all row-major.</summary>
    /// <remarks>Effectively computes c[i, j] += Σ_p a[i, p]·b[p, j].</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddProduct<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        Check(a.Length, m, k, "A");
        Check(b.Length, k, n, "B");
        Check(c.Length, m, n, "C");
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> ai = a.Slice(i * k, k);
            Span<T> ci = c.Slice(i * n, n);
            int p = 0;
            for (; p + 4 <= k; p += 4)
            {
                AddFourScaledRows(ci, ai[p], b.Slice(p * n, n), ai[p + 1], b.Slice((p + 1) * n, n), ai[p + 2], b.Slice((p + 2) * n, n), ai[p + 3], b.Slice((p + 3) * n, n));
            }

            for (; p < k; p++)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), ai[p], ci, ci);
            }
        }
    }

    /// <summary>C += A·Bᵀ. A has shape (m, k), B (n, k), C (m, n).</summary>
    public static void AddProductTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        T[] bt = ArrayPool<T>.Shared.Rent(k * n);
        try
        {
            Transpose(b, n, k, bt.AsSpan(0, k * n));
            AddProduct(a, bt.AsSpan(0, k * n), m, k, n, c);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bt);
        }
    }

    /// <summary>C += Aᵀ·B. A has shape (m, k), B (m, n), C (k, n).</summary>
    public static void AddProductTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        T[] at = ArrayPool<T>.Shared.Rent(k * m);
        try
        {
            Transpose(a, m, k, at.AsSpan(0, k * m));
            AddProduct(at.AsSpan(0, k * m), b, k, m, n, c);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(at);
        }
    }

    /// <summary>destination (cols, rows) = sourceᵀ, source of shape (rows, cols).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose<T>(ReadOnlySpan<T> source, int rows, int cols, Span<T> destination)
    {
        Check(source.Length, rows, cols, "source");
        Check(destination.Length, cols, rows, "destination");
        const int Tile = 32;
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int i1 = Math.Min(rows, i0 + Tile), j1 = Math.Min(cols, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        destination[(j * rows) + i] = source[(i * cols) + j];
                    }
                }
            }
        }
    }

    /// <summary>c += s0·r0 + s1·r1 + s2·r2 + s3·r3, one pass over c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddFourScaledRows<T>(Span<T> c, T s0, ReadOnlySpan<T> r0, T s1, ReadOnlySpan<T> r1, T s2, ReadOnlySpan<T> r2, T s3, ReadOnlySpan<T> r3)
        where T : IFloatingPointIeee754<T>
    {
        int n = c.Length, j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && n >= Vector<T>.Count)
        {
            var v0 = new Vector<T>(s0);
            var v1 = new Vector<T>(s1);
            var v2 = new Vector<T>(s2);
            var v3 = new Vector<T>(s3);
            ref T cr = ref MemoryMarshal.GetReference(c);
            ref T b0 = ref MemoryMarshal.GetReference(r0);
            ref T b1 = ref MemoryMarshal.GetReference(r1);
            ref T b2 = ref MemoryMarshal.GetReference(r2);
            ref T b3 = ref MemoryMarshal.GetReference(r3);
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                nuint o = (nuint)j;
                var acc = Vector.LoadUnsafe(ref cr, o) + (v0 * Vector.LoadUnsafe(ref b0, o)) + (v1 * Vector.LoadUnsafe(ref b1, o))
                    + (v2 * Vector.LoadUnsafe(ref b2, o)) + (v3 * Vector.LoadUnsafe(ref b3, o));
                acc.StoreUnsafe(ref cr, o);
            }
        }

        for (; j < n; j++)
        {
            c[j] += (s0 * r0[j]) + (s1 * r1[j]) + (s2 * r2[j]) + (s3 * r3[j]);
        }
    }

    private static void Check(int length, int rows, int cols, string name)
    {
        if (length != rows * cols)
        {
            throw new ArgumentException($"{name} has {length} elements but shape ({rows}, {cols}) needs {rows * cols}.", name);
        }
    }
}
