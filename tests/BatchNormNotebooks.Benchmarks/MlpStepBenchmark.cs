using BatchNormNotebooks.Optimizers;
using BenchmarkDotNet.Attributes;

namespace BatchNormNotebooks.Benchmarks;

/// <summary>One training step of the paper's MNIST MLP (784-100-100-100-10, sigmoid, batch 60, softmax
/// cross-entropy, SGD), float32, with batch norm before each sigmoid (and no Linear bias there) or without.</summary>
[MemoryDiagnoser]
public class MlpStepBenchmark
{
    private Sequential<float> _net = null!;
    private Matrix<float> _x = null!, _y = null!;
    private SoftmaxCrossEntropy<float> _loss = null!;
    private Sgd<float> _sgd = null!;

    [Params(true, false)]
    public bool BatchNorm { get; set; }

    /// <summary>Floating-point operations of one step: forward x·W, backward xᵀ·dy for every layer, dy·Wᵀ for all but
    /// the first (nobody needs ∂loss/∂pixels; PyTorch skips it too), two per multiply-add. Batch norm, sigmoid,
    /// softmax and SGD are O(batch × width) and not counted.</summary>
    public static double Flops => 2.0 * 60 * ((2 * ((784 * 100) + (2 * 100 * 100) + (100 * 10))) + (2 * 100 * 100) + (100 * 10));

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom(2);
        var layers = new List<ILayer<float>>();
        int width = 784;
        for (int k = 0; k < 3; k++)
        {
            layers.Add(new Linear<float>(width, 100, rng, bias: !BatchNorm));
            if (BatchNorm)
            {
                layers.Add(new BatchNorm1d<float>(100));
            }

            layers.Add(new Sigmoid<float>());
            width = 100;
        }

        layers.Add(new Linear<float>(100, 10, rng));
        _net = new Sequential<float>([.. layers]);
        _x = Matrix<float>.RandomNormal(60, 784, rng);
        _y = new Matrix<float>(60, 1);
        for (int i = 0; i < 60; i++)
        {
            _y[i, 0] = i % 10;
        }

        _loss = new SoftmaxCrossEntropy<float>();
        _sgd = new Sgd<float>(_net.Parameters, 0.01);
    }

    /// <summary>What <see cref="Trainer"/> (and a Figure 1 runner) runs per step: the layers' own buffers.</summary>
    [Benchmark(Description = "MLP train step, trainer path")]
    public float Step()
    {
        float l = _loss.Forward(_net.ForwardBuffered(_x), _y);
        _net.BackwardBuffered(_loss.BackwardBuffered(), needInputGradient: false);
        _sgd.Step();
        return l;
    }

    /// <summary>The trainer path with every product on the caller's thread (as before issue 22's threaded products).</summary>
    [Benchmark(Description = "MLP train step, trainer path, products on one thread")]
    public float StepOneThread()
    {
        using var one = ProductThreads.CallerOnly();
        return Step();
    }

    /// <summary>The public API with every product on the caller's thread.</summary>
    [Benchmark(Description = "MLP train step, public API, products on one thread")]
    public float StepPublicApiOneThread()
    {
        using var one = ProductThreads.CallerOnly();
        return StepPublicApi();
    }

    /// <summary>The public API as PyTorch's eager step computes it: <c>Forward</c> returns a new matrix and
    /// <c>BackwardParameters</c> fills the parameters' gradients without ∂loss/∂pixels (PyTorch's loss.backward() on data
    /// that needs no gradient).</summary>
    [Benchmark(Description = "MLP train step, public API, parameters only")]
    public float StepPublicApiParameters()
    {
        float l = _loss.Forward(_net.Forward(_x), _y);
        _net.BackwardParameters(_loss.Backward());
        _sgd.Step();
        return l;
    }

    /// <summary>The same step as a notebook cell writes it: Forward and Backward return new matrices.</summary>
    [Benchmark(Description = "MLP train step, public API")]
    public float StepPublicApi()
    {
        float l = _loss.Forward(_net.Forward(_x), _y);
        _net.Backward(_loss.Backward());
        _sgd.Step();
        return l;
    }
}
