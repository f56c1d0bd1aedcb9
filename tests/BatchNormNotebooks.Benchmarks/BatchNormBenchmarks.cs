using BenchmarkDotNet.Attributes;

namespace BatchNormNotebooks.Benchmarks;

/// <summary>Batch-norm forward (train) + backward, float32, naive scalar baseline vs the library's kernels.</summary>
[MemoryDiagnoser]
public class BatchNormBenchmarks
{
    private BatchNorm1d<float> _layer = null!, _evalLayer = null!;
    private Matrix<float> _xm = null!, _dym = null!, _xLibrary = null!;
    private readonly List<byte[]> _spacers = [];
    private long _evalCalls;
    private float[] _x = [], _y = [], _dy = [], _dx = [], _gamma = [], _beta = [], _mean = [], _var = [], _invStd = [], _dGamma = [], _dBeta = [];

    [Params("256x256", "4096x1024", "65536x256")]
    public string Shape { get; set; } = "256x256";

    public int Batch => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    public int Features => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom(1);
        int len = Batch * Features;
        // Arrays allocated back to back on the large-object heap sit a whole number of pages plus one header apart, so
        // x[i] and y[i − 8] share their low 12 address bits and the CPU stalls every load behind the previous store
        // ("4K aliasing"; measured 2.6× slower at (256, 256)). A spacer of a different size before each one breaks it.
        float[] Spaced(int k, float[] array)
        {
            _spacers.Add(new byte[100_000 + (k * 1_088)]);
            return array;
        }

        _x = Spaced(0, [.. Enumerable.Range(0, len).Select(_ => (float)rng.NextNormal(3, 2))]);
        _dy = Spaced(1, [.. Enumerable.Range(0, len).Select(_ => (float)rng.NextNormal())]);
        _y = Spaced(2, new float[len]);
        _dx = Spaced(3, new float[len]);
        _gamma = [.. Enumerable.Range(0, Features).Select(_ => (float)rng.NextUniform(0.5, 1.5))];
        _beta = new float[Features];
        _mean = new float[Features];
        _var = new float[Features];
        _invStd = new float[Features];
        _dGamma = new float[Features];
        _dBeta = new float[Features];
        _xm = new Matrix<float>(Batch, Features, _x);
        _dym = new Matrix<float>(Batch, Features, _dy);
        // x as a notebook has it: made by the library (RandomNormal, a layer's output, a dataset), its array never handed
        // out, so the public Forward keeps it by reference under its version stamp (_xm wraps an array this class holds:
        // the layer must copy it). Same values as _x, written through the indexer.
        _spacers.Add(new byte[100_000 + (4 * 1_088)]);
        _xLibrary = Matrix<float>.RandomNormal(Batch, Features, new SeededRandom(3));
        for (int i = 0; i < Batch; i++)
        {
            for (int j = 0; j < Features; j++)
            {
                _xLibrary[i, j] = _x[(i * Features) + j];
            }
        }

        _layer = new BatchNorm1d<float>(Features);
        _gamma.CopyTo(_layer.Gamma.Value);
        _evalLayer = new BatchNorm1d<float>(Features) { Training = false };
    }

    [Benchmark(Baseline = true, Description = "naive scalar")]
    public void Naive()
    {
        NaiveBatchNorm.ForwardTrain(_x, Batch, Features, _gamma, _beta, 1e-5f, _mean, _invStd, _y);
        NaiveBatchNorm.Backward(_dy, _x, Batch, Features, _gamma, _mean, _invStd, _dx, _dGamma, _dBeta);
    }

    [Benchmark(Description = "library kernels")]
    public void Library()
    {
        BatchNormKernels.ForwardTrain<float>(_x, Batch, _gamma, _beta, 1e-5f, _mean, _var, _invStd, _y);
        BatchNormKernels.BackwardClosedForm<float>(_dy, _x, Batch, _gamma, _mean, _invStd, _dx, _dGamma, _dBeta);
    }

    /// <summary>The training forward alone: the statistics pass, then the normalisation pass.</summary>
    [Benchmark(Description = "kernel forward (train) only")]
    public void LibraryForward() => BatchNormKernels.ForwardTrain<float>(_x, Batch, _gamma, _beta, 1e-5f, _mean, _var, _invStd, _y);

    /// <summary>The backward alone: the fused sums pass, then the dx pass.</summary>
    [Benchmark(Description = "kernel backward only")]
    public void LibraryBackward() => BatchNormKernels.BackwardClosedForm<float>(_dy, _x, Batch, _gamma, _mean, _invStd, _dx, _dGamma, _dBeta);

    /// <summary>The floor of one pass: reading x once (a sum per row on both cores), nothing written.</summary>
    [Benchmark(Description = "one read of x")]
    public float ReadOnce()
    {
        float[] partial = new float[2];
        Parallel.For(0, 2, t =>
        {
            int half = Batch / 2;
            partial[t] = System.Numerics.Tensors.TensorPrimitives.Sum(_x.AsSpan(t * half * Features, half * Features));
        });
        return partial[0] + partial[1];
    }

    /// <summary>The layer as <see cref="Sequential{T}"/> and <see cref="Trainer"/> call it: its own buffers, x kept by reference.</summary>
    [Benchmark(Description = "layer fwd+bwd, buffered")]
    public Matrix<float> LayerBuffered()
    {
        _layer.ForwardBuffered(_xm);
        return _layer.BackwardBuffered(_dym);
    }

    /// <summary>The layer as a notebook cell calls it: Forward and Backward return new matrices; x made by the library.</summary>
    [Benchmark(Description = "layer fwd+bwd, public API")]
    public Matrix<float> LayerPublic()
    {
        _layer.Forward(_xLibrary);
        return _layer.Backward(_dym);
    }

    /// <summary>The public API on an x whose array the caller holds (wrapped with <c>new Matrix(rows, cols, array)</c>):
    /// the version stamp cannot see writes to it, so Forward copies x (what every public Forward did before issue 22).</summary>
    [Benchmark(Description = "layer fwd+bwd, public API, caller's array")]
    public Matrix<float> LayerPublicCallerArray()
    {
        _layer.Forward(_xm);
        return _layer.Backward(_dym);
    }

    /// <summary>What the public API's outputs cost since issue 22: rent y and dx from the output pool (a large array of
    /// an unreachable matrix, reused) and write each once.</summary>
    [Benchmark(Description = "two pooled outputs, rented and written")]
    public float PooledOutputs()
    {
        var y = Matrix<float>.Uninitialized(Batch, Features);
        var dx = Matrix<float>.Uninitialized(Batch, Features);
        y.Storage.AsSpan().Fill(1f);
        dx.Storage.AsSpan().Fill(2f);
        return y.Storage[^1] + dx.Storage[^1];
    }

    /// <summary>The floor of any API that returns fresh outputs without a pool: allocate y and dx uninitialised (on the
    /// large-object heap from 85,000 bytes) and write each once.</summary>
    [Benchmark(Description = "two fresh outputs, allocated and written")]
    public float FreshOutputs()
    {
        float[] y = GC.AllocateUninitializedArray<float>(_x.Length), dx = GC.AllocateUninitializedArray<float>(_x.Length);
        y.AsSpan().Fill(1f);
        dx.AsSpan().Fill(2f);
        return y[^1] + dx[^1];
    }

    [Benchmark(Description = "layer eval forward, buffered")]
    public Matrix<float> LayerEvalBuffered() => _evalLayer.ForwardBuffered(_xLibrary);

    [Benchmark(Description = "layer eval forward, public API")]
    public Matrix<float> LayerEvalPublic() => _evalLayer.Forward(_xLibrary);

    [Benchmark(Description = "library eval forward")]
    public void LibraryEval() =>
        BatchNormKernels.ForwardEval<float>(_x, Batch, _gamma, _beta, _mean, _invStd, 1e-5f, _y);

    /// <summary>What the output pool's collections alone cost the public eval: the kernel into the same array every
    /// call, plus the forced gen-1 collection the pool makes when a caller holds the last output — one every
    /// <see cref="OutputPool.CollectAt"/> calls for a pooled output (the public call's own rate is in its row's
    /// "allocated per call" column), none for a smaller one.</summary>
    [Benchmark(Description = "library eval forward + the pool's collections")]
    public void LibraryEvalWithCollections()
    {
        if (PoolCollectionPeriod(Batch * Features) is int period && ++_evalCalls % period == 0)
        {
            GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        }

        BatchNormKernels.ForwardEval<float>(_x, Batch, _gamma, _beta, _mean, _invStd, 1e-5f, _y);
    }

    /// <summary>Calls per forced collection for an output of <paramref name="length"/> floats when a caller holds the
    /// last one (<see cref="OutputPool.CollectAt"/>), or null when the pool does not take outputs that small.</summary>
    public static int? PoolCollectionPeriod(int length) =>
        OutputPool.IsPooled<float>(length) ? OutputPool.CollectAt((long)length * sizeof(float)) : null;

    /// <summary>Bytes the library's passes move in one fwd+bwd: forward reads x for the statistics, then reads x and
    /// writes y; backward reads x and dy for its sums, then reads x and dy and writes dx — eight (batch × features)
    /// float tensors. (The unavoidable minimum is five: x, y, dy, dx, and x again in backward.)</summary>
    public static long BytesMoved(int batch, int features) => 8L * batch * features * sizeof(float);
}

/// <summary>STREAM-style triad a[i] = b[i] + s·c[i] over arrays far larger than the caches: the memory-bandwidth yardstick.</summary>
[MemoryDiagnoser]
public class TriadBenchmark
{
    private const int Length = 32 * 1024 * 1024;
    private float[] _a = [], _b = [], _c = [];

    public static long Bytes => 3L * Length * sizeof(float);

    [GlobalSetup]
    public void Setup()
    {
        _a = new float[Length];
        _b = Enumerable.Repeat(1f, Length).ToArray();
        _c = Enumerable.Repeat(2f, Length).ToArray();
    }

    [Benchmark(Description = "triad, 1 thread")]
    public void Triad() => System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_c, 3f, _b, _a);

    [Benchmark(Description = "triad, 2 threads")]
    public void Triad2() => Parallel.For(0, 2, t =>
    {
        int half = Length / 2;
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_c.AsSpan(t * half, half), 3f, _b.AsSpan(t * half, half), _a.AsSpan(t * half, half));
    });
}
