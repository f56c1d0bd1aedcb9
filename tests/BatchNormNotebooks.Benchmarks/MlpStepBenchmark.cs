using BatchNormNotebooks.Optimizers;
using BenchmarkDotNet.Attributes;

namespace BatchNormNotebooks.Benchmarks;

/// <summary>One training step of the paper's MNIST MLP (784-100-100-100-10, sigmoid, BN, batch 60, SGD), float32.</summary>
[MemoryDiagnoser]
public class MlpStepBenchmark
{
    private Sequential<float> _net = null!;
    private Matrix<float> _x = null!, _y = null!;
    private SoftmaxCrossEntropy<float> _loss = null!;
    private Sgd<float> _sgd = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom(2);
        _net = new Sequential<float>(
            new Linear<float>(784, 100, rng, bias: false), new BatchNorm1d<float>(100), new Sigmoid<float>(),
            new Linear<float>(100, 100, rng, bias: false), new BatchNorm1d<float>(100), new Sigmoid<float>(),
            new Linear<float>(100, 100, rng, bias: false), new BatchNorm1d<float>(100), new Sigmoid<float>(),
            new Linear<float>(100, 10, rng));
        _x = Matrix<float>.RandomNormal(60, 784, rng);
        _y = new Matrix<float>(60, 1);
        for (int i = 0; i < 60; i++)
        {
            _y[i, 0] = i % 10;
        }

        _loss = new SoftmaxCrossEntropy<float>();
        _sgd = new Sgd<float>(_net.Parameters, 0.01);
    }

    [Benchmark(Description = "MLP train step")]
    public float Step()
    {
        float l = _loss.Forward(_net.Forward(_x), _y);
        _net.Backward(_loss.Backward());
        _sgd.Step();
        return l;
    }
}
