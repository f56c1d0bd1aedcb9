using System.Numerics.Tensors;

namespace BatchNormNotebooks.Tests.Tensors;

/// <summary>The library's own element-wise loops must give TensorPrimitives' bits (they replace it on the training
/// path), at lengths with and without a vector tail, in place too.</summary>
public class ElementwiseTests
{
    public static TheoryData<int> Lengths => [1, 7, 8, 61, 6000];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_operation_matches_TensorPrimitives_bit_for_bit(int length)
    {
        var random = new SeededRandom((ulong)length);
        float[] x = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextNormal(0, 3))];
        float[] y = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextNormal())];
        float[] a = [.. x.Select(v => 1f / (1f + MathF.Exp(-v)))];
        var cases = new (string Name, Action<float[]> Ours, Action<float[]> Reference)[]
        {
            ("x·y", d => Elementwise.Multiply<float>(x, y, d), d => TensorPrimitives.Multiply(x, y, d)),
            ("x·0.37", d => Elementwise.Multiply<float>(x, 0.37f, d), d => TensorPrimitives.Multiply(x, 0.37f, d)),
            ("x + y", d => Elementwise.Add<float>(x, y, d), d => TensorPrimitives.Add(x, y, d)),
            ("x·(−0.1) + y", d => Elementwise.MultiplyAdd<float>(x, -0.1f, y, d), d => TensorPrimitives.MultiplyAdd(x, -0.1f, y, d)),
            ("(1 − a)·a", d => Elementwise.SigmoidSlope<float>(a, d), d => { TensorPrimitives.Subtract(1f, a, d); TensorPrimitives.Multiply(d, a, d); }),
        };
        foreach (var (name, ours, reference) in cases)
        {
            float[] expected = new float[length], actual = new float[length];
            reference(expected);
            ours(actual);
            Assert.True(expected.SequenceEqual(actual), name);
        }

        float[] inPlace = (float[])x.Clone();
        Elementwise.Multiply<float>(inPlace, y, inPlace);
        Assert.Equal(Computed(d => TensorPrimitives.Multiply(x, y, d), length), inPlace);
        Assert.Equal(TensorPrimitives.Max<float>(x), Elementwise.Max<float>(x));
        Assert.Equal(TensorPrimitives.IndexOfMax<float>(x), Elementwise.IndexOfMax<float>(x));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_operation_matches_TensorPrimitives_bit_for_bit_in_float64(int length)
    {
        var random = new SeededRandom((ulong)length + 100);
        double[] x = [.. Enumerable.Range(0, length).Select(_ => random.NextNormal(0, 3))];
        double[] y = [.. Enumerable.Range(0, length).Select(_ => random.NextNormal())];
        double[] a = [.. x.Select(v => 1 / (1 + Math.Exp(-v)))];
        var cases = new (string Name, Action<double[]> Ours, Action<double[]> Reference)[]
        {
            ("x·y", d => Elementwise.Multiply<double>(x, y, d), d => TensorPrimitives.Multiply(x, y, d)),
            ("x·0.37", d => Elementwise.Multiply<double>(x, 0.37, d), d => TensorPrimitives.Multiply(x, 0.37, d)),
            ("x + y", d => Elementwise.Add<double>(x, y, d), d => TensorPrimitives.Add(x, y, d)),
            ("x·(−0.1) + y", d => Elementwise.MultiplyAdd<double>(x, -0.1, y, d), d => TensorPrimitives.MultiplyAdd(x, -0.1, y, d)),
            ("(1 − a)·a", d => Elementwise.SigmoidSlope<double>(a, d), d => { TensorPrimitives.Subtract(1.0, a, d); TensorPrimitives.Multiply(d, a, d); }),
        };
        foreach (var (name, ours, reference) in cases)
        {
            double[] expected = new double[length], actual = new double[length];
            reference(expected);
            ours(actual);
            Assert.True(expected.SequenceEqual(actual), name);
        }

        double[] inPlace = (double[])x.Clone();
        Elementwise.MultiplyAdd<double>(inPlace, -0.1, y, inPlace);
        double[] expectedInPlace = new double[length];
        TensorPrimitives.MultiplyAdd(x, -0.1, y, expectedInPlace);
        Assert.Equal(expectedInPlace, inPlace);
        Assert.Equal(TensorPrimitives.Max<double>(x), Elementwise.Max<double>(x));
        Assert.Equal(TensorPrimitives.IndexOfMax<double>(x), Elementwise.IndexOfMax<double>(x));
    }

    [Fact]
    public void Max_and_IndexOfMax_report_the_first_NaN_and_reject_an_empty_span()
    {
        float[] x = [1, float.NaN, 5, float.NaN];
        Assert.Equal(1, Elementwise.IndexOfMax<float>(x));
        Assert.True(float.IsNaN(Elementwise.Max<float>(x)));
        Assert.Equal(2, Elementwise.IndexOfMax<float>([1, 2, 5, 5]));
        Assert.Throws<ArgumentException>(() => Elementwise.IndexOfMax<float>([]));
    }

    [Fact]
    public void Operands_of_different_lengths_are_rejected_with_their_lengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => Elementwise.Multiply<float>(new float[3], new float[4], new float[3]));
        Assert.Contains("3, 4", ex.Message);
    }

    private static float[] Computed(Action<float[]> fill, int length)
    {
        float[] d = new float[length];
        fill(d);
        return d;
    }
}
