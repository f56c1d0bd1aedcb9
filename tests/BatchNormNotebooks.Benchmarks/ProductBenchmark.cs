using BenchmarkDotNet.Attributes;

namespace BatchNormNotebooks.Benchmarks;

/// <summary>C = A·B, float32, on all cores (split above <see cref="MatrixProduct.ParallelThreshold"/>) and on the
/// caller's thread only: where splitting starts to pay. Shapes (m, k, n) from the notebooks' and the paper's MLPs.</summary>
public class ProductBenchmark
{
    private float[] _a = null!, _b = null!, _c = null!, _bt = null!;
    private int _m, _k, _n;

    [Params("60x784x100", "60x100x100", "784x60x100", "60x100x784", "64x64x64", "32x64x64", "16x64x128")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int[] s = [.. Shape.Split('x').Select(int.Parse)];
        (_m, _k, _n) = (s[0], s[1], s[2]);
        var rng = new SeededRandom(1);
        _a = [.. Enumerable.Range(0, _m * _k).Select(_ => (float)rng.NextNormal())];
        _b = [.. Enumerable.Range(0, _k * _n).Select(_ => (float)rng.NextNormal())];
        _c = new float[_m * _n];
        _bt = new float[_k * _n];
    }

    [Benchmark(Description = "A·B, split above the threshold")]
    public void Default() => MatrixProduct.Multiply<float>(_a, _b, _m, _k, _n, _c);

    [Benchmark(Description = "A·B, split at any size")]
    public void Split()
    {
        using var all = MatrixProduct.ThreadEveryProduct();
        MatrixProduct.Multiply<float>(_a, _b, _m, _k, _n, _c);
    }

    /// <summary>Bᵀ, what the input gradient dy·Wᵀ pays before its product (B of shape (k, n)).</summary>
    [Benchmark(Description = "transpose B")]
    public void TransposeB() => MatrixProduct.Transpose<float>(_b, _k, _n, _bt);

    /// <summary>A fresh (m, k) output of the public API: allocated uninitialised and written once, on the ordinary
    /// heap (the large-object heap from 85 KB) and on the pinned-object heap.</summary>
    [Benchmark(Description = "fresh (m, k) output")]
    public float[] Fresh()
    {
        float[] y = GC.AllocateUninitializedArray<float>(_m * _k);
        y.AsSpan().Fill(1f);
        return y;
    }

    [Benchmark(Description = "fresh (m, k) output, pinned heap")]
    public float[] FreshPinned()
    {
        float[] y = GC.AllocateUninitializedArray<float>(_m * _k, pinned: true);
        y.AsSpan().Fill(1f);
        return y;
    }

    [Benchmark(Description = "A·B, one thread")]
    public void OneThread()
    {
        using var one = ProductThreads.CallerOnly();
        MatrixProduct.Multiply<float>(_a, _b, _m, _k, _n, _c);
    }
}
