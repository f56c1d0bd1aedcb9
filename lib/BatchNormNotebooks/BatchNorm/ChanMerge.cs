using System.Numerics;
using System.Runtime.CompilerServices;

namespace BatchNormNotebooks;

/// <summary>
/// Chan, Golub and LeVeque's pairwise update: merges the mean and M2 = Σ(x − mean)² of a part B of nb rows into those
/// of a part A of na rows: δ = μB − μA, μ = μA + δ·nb/(na + nb), M2 = M2A + M2B + δ²·na·nb/(na + nb).
/// </summary>
/// <remarks>The weights depend only on the two counts, so they are computed once per merge and then applied to every
/// feature. Used by the batch-norm forward for each block of rows and for each thread's part of the batch.</remarks>
internal readonly struct ChanMerge
{
    private readonly double _weightOfB, _cross;

    /// <summary>Prepares the merge of <paramref name="countB"/> rows into <paramref name="countA"/> rows (countA + countB &gt; 0).</summary>
    public ChanMerge(double countA, double countB)
    {
        double total = countA + countB;
        _weightOfB = countB / total;
        _cross = countA * countB / total;
    }

    /// <summary>Merges one feature's (mean, M2) of part B into part A's, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Into(ref double meanA, ref double m2A, double meanB, double m2B)
    {
        double delta = meanB - meanA;
        meanA += delta * _weightOfB;
        m2A += m2B + (delta * delta * _cross);
    }

    /// <summary>The same merge for <see cref="Vector{T}.Count"/> features at once, lane by lane (same operations, same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Into(ref Vector<double> meanA, ref Vector<double> m2A, Vector<double> meanB, Vector<double> m2B)
    {
        var delta = meanB - meanA;
        meanA += delta * _weightOfB;
        m2A += m2B + (delta * delta * _cross);
    }
}
