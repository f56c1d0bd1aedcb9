using System.Numerics;
using System.Runtime.Intrinsics;
using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Foundation;

/// <summary>Issue 22: a product split between cores (by output rows, or by 24-column panels when rows are few) gives
/// the same bits as the same product on one thread, for every product kind and awkward shape; no reduction is split.</summary>
public class MatrixProductThreadsTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 13, 1031, 1 }, { 13, 1031, 9 }, { 1, 300, 1031 }, { 3, 700, 50 }, { 7, 513, 25 }, { 16, 5, 8 },
        { 17, 257, 33 }, { 60, 784, 100 }, { 784, 60, 100 }, { 60, 100, 784 }, { 61, 129, 47 }, { 2, 0, 48 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_product_kind_gives_the_same_bits_threaded_and_on_one_thread_in_float(int m, int k, int n)
    {
        var (a, b, c0, _) = ProductCase.Random(m, k, n, (ulong)((m * 7919) + (k * 31) + n));
        float[] af = [.. a.Select(v => (float)v)], bf = [.. b.Select(v => (float)v)], c0f = [.. c0.Select(v => (float)v)];
        AssertSameBits(af, bf, c0f, m, k, n);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_product_kind_gives_the_same_bits_threaded_and_on_one_thread_in_double(int m, int k, int n)
    {
        var (a, b, c0, _) = ProductCase.Random(m, k, n, (ulong)((m * 7919) + (k * 31) + n));
        AssertSameBits(a, b, c0, m, k, n);
    }

    [Fact]
    public void A_product_above_the_threshold_is_split_without_any_test_scope()
    {
        if (Environment.ProcessorCount < 2)
        {
            return;   // one core: nothing to split
        }

        var (a, b, c0, _) = ProductCase.Random(60, 784, 100, 3);
        float[] af = [.. a.Select(v => (float)v)], bf = [.. b.Select(v => (float)v)];
        float[] threaded = new float[c0.Length], single = new float[c0.Length];
        using (ProductThreads.CallerOnly())
        {
            MatrixProduct.Multiply<float>(af, bf, 60, 784, 100, single);
        }

        Assert.True(60L * 784 * 100 >= MatrixProduct.ParallelThreshold);
        bool split = false;
        // Another test's product may hold the workers, and after products the workers could not help with, the next 256
        // stay on the caller's thread (a busy machine): try long enough to see a split.
        for (int attempt = 0; attempt < 2000 && !split; attempt++)
        {
            int before = ProductThreads.ThreadedRuns;
            MatrixProduct.Multiply<float>(af, bf, 60, 784, 100, threaded);
            split = ProductThreads.ThreadedRuns > before;
            Assert.Equal(single, threaded);
        }

        Assert.True(split, "the (60, 784)·(784, 100) product never ran on more than one thread");
    }

    [Fact]
    public void A_product_below_the_threshold_stays_on_the_callers_thread()
    {
        // The MLP's middle forward, (60, 100)·(100, 100): 600,000 multiply-adds, under the threshold since it rose to 2^20.
        Assert.True(60L * 100 * 100 < MatrixProduct.ParallelThreshold);
        float[] a = new float[60 * 100], b = new float[100 * 100], c = new float[60 * 100];
        int before = ProductThreads.ThreadedRuns;
        MatrixProduct.Multiply<float>(a, b, 60, 100, 100, c);
        Assert.Equal(before, ProductThreads.ThreadedRuns);
    }

    [Fact]
    public void An_input_gradient_product_with_few_rows_stays_on_the_callers_thread_even_when_every_product_is_split()
    {
        // dy·Wᵀ with fewer than 128 rows: (60, 100)·(100, 100)ᵀ. Bᵀ is written by the caller just before the product, and
        // a worker would have to pull all of it across cores. ThreadEveryProduct lifts the size threshold, so only the
        // few-rows rule keeps it on the caller's thread, while the plain product of the same size is split.
        float[] a = new float[60 * 100], b = new float[100 * 100], c = new float[60 * 100], bt = new float[100 * 100];
        using var every = MatrixProduct.ThreadEveryProduct();
        int before = ProductThreads.ThreadedRuns;
        MatrixProduct.MultiplyTransposedB<float>(a, b, 60, 100, 100, c, bt);
        MatrixProduct.AddProductTransposedB<float>(a, b, 60, 100, 100, c, bt);
        Assert.Equal(before, ProductThreads.ThreadedRuns);
        MatrixProduct.Multiply<float>(a, bt, 60, 100, 100, c);
        Assert.Equal(before + 1, ProductThreads.ThreadedRuns);
    }

    [Fact]
    public void The_papers_MLP_trained_through_the_public_API_gives_the_same_bits_threaded_and_keeps_earlier_outputs_intact()
    {
        var single = TwoPublicSteps(threaded: false);
        var threaded = TwoPublicSteps(threaded: true);
        for (int q = 0; q < single.Length; q++)
        {
            Assert.True(single[q].AsSpan().SequenceEqual(threaded[q]), $"result {q} of the two steps differs threaded");
        }
    }

    /// <summary>Two SGD steps of the 784-100-BN-sigmoid-…-10 MLP (batch 60) through Forward/Backward; returns the
    /// first step's output and input gradient as read after the second step (they must be what the first step
    /// returned), the second step's, and the weights after both.</summary>
    private static float[][] TwoPublicSteps(bool threaded)
    {
        var rng = new SeededRandom(8);
        var layers = new List<ILayer<float>>();
        int width = 784;
        for (int k = 0; k < 3; k++)
        {
            layers.Add(new Linear<float>(width, 100, rng, bias: false));
            layers.Add(new BatchNorm1d<float>(100));
            layers.Add(new Sigmoid<float>());
            width = 100;
        }

        layers.Add(new Linear<float>(100, 10, rng));
        var net = new Sequential<float>([.. layers]);
        var loss = new SoftmaxCrossEntropy<float>();
        var sgd = new Sgd<float>(net.Parameters, 0.1);
        var target = new Matrix<float>(60, 1);
        for (int i = 0; i < 60; i++)
        {
            target[i, 0] = i % 10;
        }

        IDisposable scope = threaded ? MatrixProduct.ThreadEveryProduct() : ProductThreads.CallerOnly();
        using (scope)
        {
            var x1 = Matrix<float>.RandomNormal(60, 784, rng);
            var x2 = Matrix<float>.RandomNormal(60, 784, rng);
            var y1 = net.Forward(x1);
            loss.Forward(y1, target);
            var dx1 = net.Backward(loss.Backward());
            float[] y1Then = Values(y1), dx1Then = Values(dx1);
            sgd.Step();
            var y2 = net.Forward(x2);
            loss.Forward(y2, target);
            var dx2 = net.Backward(loss.Backward());
            sgd.Step();
            Assert.Equal(y1Then, Values(y1));     // the second step changed nothing the caller kept from the first
            Assert.Equal(dx1Then, Values(dx1));
            Assert.NotEqual(y1Then, Values(y2));
            return [Values(y1), Values(dx1), Values(y2), Values(dx2), .. net.Parameters.Select(p => (float[])p.Value.Clone())];
        }
    }

    private static float[] Values(Matrix<float> m)
    {
        float[] v = new float[m.Rows * m.Cols];
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = 0; j < m.Cols; j++)
            {
                v[(i * m.Cols) + j] = m[i, j];
            }
        }

        return v;
    }

    private static void AssertSameBits<T>(T[] a, T[] b, T[] c0, int m, int k, int n) where T : IFloatingPointIeee754<T>
    {
        T[] at = new T[k * m], bt = new T[n * k];
        MatrixProduct.Transpose<T>(a, m, k, at);
        MatrixProduct.Transpose<T>(b, k, n, bt);
        var single = Run(a, b, c0, at, bt, m, k, n, threaded: false);
        int before = ProductThreads.ThreadedRuns;
        var threaded = Run(a, b, c0, at, bt, m, k, n, threaded: true);
        for (int kind = 0; kind < single.Length; kind++)
        {
            Assert.True(single[kind].AsSpan().SequenceEqual(threaded[kind]), $"product kind {kind} of ({m}, {k}, {n}) differs threaded");
        }

        // Shapes with room for two parts (8 rows per thread, or two 24-column panels) were really split.
        int threads = Math.Min(Environment.ProcessorCount, 8);
        bool splittable = (m >= 8 * threads || n >= 48) && k > 0 && threads >= 2;
        Assert.True(!splittable || ProductThreads.ThreadedRuns - before >= 3, $"({m}, {k}, {n}) ran threaded only {ProductThreads.ThreadedRuns - before} times");
    }

    /// <summary>C0 + A·B, A·B, C0 + (Aᵀ)ᵀ·B, (Aᵀ)ᵀ·B, A·(Bᵀ)ᵀ: every public entry point that reaches the micro-kernel.</summary>
    internal static T[][] Run<T>(T[] a, T[] b, T[] c0, T[] at, T[] bt, int m, int k, int n, bool threaded) where T : IFloatingPointIeee754<T>
    {
        var results = new T[5][];
        for (int kind = 0; kind < results.Length; kind++)
        {
            results[kind] = (T[])c0.Clone();
        }

        IDisposable scope = threaded ? MatrixProduct.ThreadEveryProduct() : ProductThreads.CallerOnly();
        using (scope)
        {
            MatrixProduct.AddProduct<T>(a, b, m, k, n, results[0]);
            MatrixProduct.Multiply<T>(a, b, m, k, n, results[1]);
            MatrixProduct.AddProductTransposedA<T>(at, b, k, m, n, results[2]);
            MatrixProduct.MultiplyTransposedA<T>(at, b, k, m, n, results[3]);
            MatrixProduct.MultiplyTransposedB<T>(a, bt, m, k, n, results[4], new T[k * n]);
        }

        return results;
    }
}

/// <summary>A linear layer's two gradients side by side on two cores (MatrixProduct.Gradients.cs) give the bits of the
/// two products one after the other, and bad lengths are named.</summary>
public class LinearGradientsTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 60, 100, 100 }, { 60, 784, 100 }, { 60, 100, 10 }, { 13, 47, 33 }, { 1, 9, 8 }, { 130, 50, 50 }, { 5, 17, 7 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Side_by_side_gives_the_bits_of_one_product_after_the_other_in_float(int m, int inFeatures, int outFeatures) =>
        AssertSameBits<float>(m, inFeatures, outFeatures);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Side_by_side_gives_the_bits_of_one_product_after_the_other_in_double(int m, int inFeatures, int outFeatures) =>
        AssertSameBits<double>(m, inFeatures, outFeatures);

    [Fact]
    public void A_wrong_length_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => MatrixProduct.LinearGradients<float>(new float[60 * 100], new float[60 * 10], new float[100 * 10], 60, 100, 10,
            new float[100 * 10], new float[60 * 99], new float[100 * 10]));
        Assert.Contains("inputGradient", e.Message);
    }

    private static void AssertSameBits<T>(int m, int inFeatures, int outFeatures) where T : IFloatingPointIeee754<T>
    {
        var rng = new SeededRandom((ulong)((m * 1009) + (inFeatures * 31) + outFeatures));
        T[] R(int n) => [.. Enumerable.Range(0, n).Select(_ => T.CreateChecked(rng.NextNormal()))];
        T[] x = R(m * inFeatures), dy = R(m * outFeatures), w = R(inFeatures * outFeatures);
        T[] dwSeq = new T[inFeatures * outFeatures], dxSeq = new T[m * inFeatures], dwPar = R(inFeatures * outFeatures), dxPar = R(m * inFeatures);
        using (ProductThreads.CallerOnly())
        {
            MatrixProduct.MultiplyTransposedA<T>(x, dy, m, inFeatures, outFeatures, dwSeq);
            MatrixProduct.MultiplyTransposedB<T>(dy, w, m, outFeatures, inFeatures, dxSeq, new T[inFeatures * outFeatures]);
        }

        int before = ProductThreads.ThreadedRuns;
        using (MatrixProduct.ThreadEveryProduct())
        {
            MatrixProduct.LinearGradients<T>(x, dy, w, m, inFeatures, outFeatures, dwPar, dxPar, new T[inFeatures * outFeatures]);
        }

        Assert.Equal(dwSeq, dwPar);
        Assert.Equal(dxSeq, dxPar);
        // Side by side is one threaded run (the products inside it stay on their threads); 130 rows split each product instead.
        bool sideBySide = Environment.ProcessorCount >= 2 && m < 128 && inFeatures >= Vector256<T>.Count && outFeatures >= Vector256<T>.Count;
        if (sideBySide)
        {
            Assert.Equal(1, ProductThreads.ThreadedRuns - before);
        }
    }
}
