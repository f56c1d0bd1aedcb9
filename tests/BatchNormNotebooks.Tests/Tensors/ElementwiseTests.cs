using System.Numerics;
using System.Numerics.Tensors;

namespace BatchNormNotebooks.Tests.Tensors;

/// <summary>The library's own element-wise loops must give TensorPrimitives' bits (they replace it on the training
/// path), at lengths with and without a vector tail, in place too; except the float sigmoid, which has its own
/// exponential (ElementwiseExpTests).</summary>
public class ElementwiseTests
{
    public static TheoryData<int> Lengths => [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 61, 6000];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_operation_matches_TensorPrimitives_bit_for_bit(int length) => MatchesTensorPrimitives<float>(length);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_operation_matches_TensorPrimitives_bit_for_bit_in_float64(int length) => MatchesTensorPrimitives<double>(length);

    private static void MatchesTensorPrimitives<T>(int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom((ulong)length + (ulong)System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        T[] x = [.. Enumerable.Range(0, length).Select(_ => T.CreateChecked(random.NextNormal(0, 3)))];
        T[] y = [.. Enumerable.Range(0, length).Select(_ => T.CreateChecked(random.NextNormal()))];
        T[] a = [.. x.Select(v => T.One / (T.One + T.Exp(-v)))];
        T s = T.CreateChecked(0.37), t = T.CreateChecked(-0.1);
        var cases = new (string Name, Action<T[]> Ours, Action<T[]> Reference)[]
        {
            ("x·y", d => Elementwise.Multiply<T>(x, y, d), d => TensorPrimitives.Multiply<T>(x, y, d)),
            ("x·0.37", d => Elementwise.Multiply<T>(x, s, d), d => TensorPrimitives.Multiply<T>(x, s, d)),
            ("x + y", d => Elementwise.Add<T>(x, y, d), d => TensorPrimitives.Add<T>(x, y, d)),
            ("x·(−0.1) + y", d => Elementwise.MultiplyAdd<T>(x, t, y, d), d => TensorPrimitives.MultiplyAdd<T>(x, t, y, d)),
            ("(1 − a)·a", d => Elementwise.SigmoidSlope<T>(a, d), d => { TensorPrimitives.Subtract<T>(T.One, a, d); TensorPrimitives.Multiply<T>(d, a, d); }),
            ("((1 − a)·a)·y", d => Elementwise.SigmoidBackward<T>(a, y, d), d => { TensorPrimitives.Subtract<T>(T.One, a, d); TensorPrimitives.Multiply<T>(d, a, d); TensorPrimitives.Multiply<T>(d, y, d); }),
            ("σ(x)", d => Elementwise.Sigmoid<T>(x, d), d => TensorPrimitives.Sigmoid<T>(x, d)),
            ("tanh(x)", d => Elementwise.Tanh<T>(x, d), d => TensorPrimitives.Tanh<T>(x, d)),
        };
        foreach (var (name, ours, reference) in cases)
        {
            if (typeof(T) == typeof(float) && name == "σ(x)")
            {
                continue;   // float: the library's own exponential (ElementwiseExpTests)
            }

            T[] expected = new T[length], actual = new T[length];
            reference(expected);
            ours(actual);
            Assert.True(expected.SequenceEqual(actual), $"{typeof(T).Name} {name}");
        }

        T[] inPlace = (T[])x.Clone();
        Elementwise.Multiply<T>(inPlace, y, inPlace);
        T[] product = new T[length];
        TensorPrimitives.Multiply<T>(x, y, product);
        Assert.Equal(product, inPlace);
        Assert.Equal(TensorPrimitives.Max<T>(x), Elementwise.Max<T>(x));
        Assert.Equal(TensorPrimitives.IndexOfMax<T>(x), Elementwise.IndexOfMax<T>(x));
    }

    [Fact]
    public void Sigmoid_matches_TensorPrimitives_at_the_extremes_and_at_NaN()
    {
        for (int length = 1; length <= 40; length++)
        {
            double[] x = [.. Enumerable.Range(0, length).Select(k => (k % 4) switch { 0 => double.NaN, 1 => 800, 2 => -800, _ => -36.5 })];
            float[] xf = [.. x.Select(v => (float)v / 8)];
            double[] expected = new double[length], actual = new double[length];
            float[] expectedF = new float[length], actualF = new float[length];
            TensorPrimitives.Sigmoid<double>(x, expected);
            Elementwise.Sigmoid<double>(x, actual);
            TensorPrimitives.Sigmoid<float>(xf, expectedF);
            Elementwise.Sigmoid<float>(xf, actualF);
            Assert.True(expected.SequenceEqual(actual), $"length {length}");
            for (int i = 0; i < length; i++)
            {
                // float: NaN, 1 and 0 exactly as TensorPrimitives; σ(−4.5625) within an ulp of it.
                Assert.True(i % 4 == 3 ? Math.Abs(BitConverter.SingleToInt32Bits(expectedF[i]) - BitConverter.SingleToInt32Bits(actualF[i])) <= 1
                    : expectedF[i].Equals(actualF[i]), $"float, length {length}, element {i}: {actualF[i]} against {expectedF[i]}");
            }
        }
    }

    /// <summary>Regression: TensorPrimitives.Tanh computes a whole vector with the scalar Math.Exp when one of its lanes
    /// has |z| &gt; 354 or is NaN, and groups elements into vectors by memory address, so an ordinary element's bits
    /// depended on its neighbours and on where the arrays were allocated (notebook 08's g = 100 sweep without BN).</summary>
    [Fact]
    public void Tanh_of_an_element_depends_on_that_element_alone_not_on_its_neighbours_or_the_arrays_address()
    {
        const int n = 4096;
        var random = new SeededRandom(8);
        double[] clean = [.. Enumerable.Range(0, n).Select(_ => random.NextNormal(0, 1))];
        double[] special = [400, -1000, 355, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 21, -20.5];
        double[] dirty = (double[])clean.Clone();
        for (int i = 3; i < n; i += 5)
        {
            dirty[i] = special[i % special.Length];
        }

        double[] expected = new double[n];
        Elementwise.Tanh<double>(clean, expected);
        for (int offset = 0; offset < 8; offset++)
        {
            double[] source = new double[n + 8], destination = new double[n + 8];
            dirty.CopyTo(source, offset);
            Elementwise.Tanh<double>(source.AsSpan(offset, n), destination.AsSpan((offset * 3) % 8, n));
            var actual = destination.AsSpan((offset * 3) % 8, n);
            for (int i = 0; i < n; i++)
            {
                double want = dirty[i] == clean[i] ? expected[i] : double.IsNaN(dirty[i]) ? double.NaN : Math.Sign(dirty[i]);
                Assert.True(want.Equals(actual[i]), $"offset {offset}, element {i}: tanh({dirty[i]:R}) = {actual[i]:R}, expected {want:R}");
            }
        }
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
}
