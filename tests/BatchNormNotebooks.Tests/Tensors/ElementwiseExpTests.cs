namespace BatchNormNotebooks.Tests.Tensors;

/// <summary>Issue 22: the library's float exponential (behind the float sigmoid and softmax) against the double one,
/// over a sweep of floats, and its bits independent of an element's position in a span (vector, overlapping last
/// vector or scalar).</summary>
public class ElementwiseExpTests
{
    /// <summary>Every 97th float bit pattern in [0, 110] and [−110, 0]: about 23 million values.</summary>
    private static float[] Sweep()
    {
        int top = BitConverter.SingleToInt32Bits(110f);
        var values = new List<float>(2 * ((top / 97) + 1));
        for (int bits = 0; bits <= top; bits += 97)
        {
            float v = BitConverter.Int32BitsToSingle(bits);
            values.Add(v);
            values.Add(-v);
        }

        return [.. values];
    }

    private static long UlpDistance(float x, float y) =>
        Math.Abs((long)BitConverter.SingleToInt32Bits(x) - BitConverter.SingleToInt32Bits(y));

    [Fact]
    public void Exp_is_within_one_ulp_of_the_double_exponential_rounded_to_float_subnormals_and_overflow_included()
    {
        float[] x = Sweep(), e = new float[x.Length];
        Elementwise.Exp(x, e);
        long worst = 0, exact = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long d = UlpDistance((float)Math.Exp(x[i]), e[i]);
            worst = Math.Max(worst, d);
            exact += d == 0 ? 1 : 0;
        }

        Assert.True(worst <= 1, $"worst {worst} ulp");
        Assert.True(exact > 0.95 * x.Length, $"{exact} of {x.Length} exact");
    }

    [Fact]
    public void Sigmoid_is_within_two_ulp_of_the_double_sigmoid_where_it_is_a_normal_float_and_below_3e_minus_39_elsewhere()
    {
        float[] z = Sweep(), s = new float[z.Length];
        Elementwise.Sigmoid<float>(z, s);
        long worst = 0;
        float worstTiny = 0;
        for (int i = 0; i < z.Length; i++)
        {
            float reference = (float)(1 / (1 + Math.Exp(-(double)z[i])));
            if (reference < 1.17549435e-38f)
            {
                worstTiny = Math.Max(worstTiny, Math.Abs(reference - s[i]));
                continue;
            }

            worst = Math.Max(worst, UlpDistance(reference, s[i]));
        }

        Assert.True(worst <= 2, $"worst {worst} ulp");
        Assert.True(worstTiny < 3e-39f, $"worst absolute error {worstTiny} where σ is subnormal");
    }

    [Fact]
    public void Special_values_give_the_exponentials_limits()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 88.72f, 88.73f, -87.3f, -103.9f, -104.5f, 0f, -0f, 1f];
        float[] e = new float[x.Length];
        Elementwise.Exp(x, e);
        Assert.True(float.IsNaN(e[0]));
        Assert.Equal(float.PositiveInfinity, e[1]);
        Assert.Equal(0f, e[2]);
        Assert.True(float.IsFinite(e[3]) && e[3] > 3.39e38f);
        Assert.Equal(float.PositiveInfinity, e[4]);
        Assert.True(e[5] > 1.2e-38f && e[5] < 1.23e-38f);
        Assert.True(float.IsSubnormal(e[6]));
        Assert.Equal(0f, e[7]);
        Assert.Equal(1f, e[8]);
        Assert.Equal(1f, e[9]);
        Assert.Equal(MathF.E, e[10]);

        float[] z = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -100f, 100f, 17f];
        float[] s = new float[z.Length];
        Elementwise.Sigmoid<float>(z, s);
        Assert.True(float.IsNaN(s[0]));
        Assert.Equal([1f, 0f, 0.5f, 0f, 1f, 1f], s[1..]);
    }

    [Fact]
    public void An_elements_bits_do_not_depend_on_its_position_or_the_span_length_and_in_place_works()
    {
        var random = new SeededRandom(22);
        float[] pool = [.. Enumerable.Range(0, 64).Select(i => i % 9 == 4 ? (float)random.NextNormal(0, 60) : (float)random.NextNormal(0, 4))];
        pool[7] = float.NaN;
        pool[20] = -95f;
        pool[33] = 88.7f;
        float[] expExpected = [.. pool.Select(v => Elementwise.ExpFloat(v))];
        float[] sigmoidExpected = [.. pool.Select(v => Elementwise.SigmoidFloat(v))];
        for (int length = 1; length <= 40; length++)
        {
            for (int offset = 0; offset + length <= pool.Length; offset += 7)
            {
                var x = pool.AsSpan(offset, length);
                float[] e = new float[length], s = new float[length];
                Elementwise.Exp(x, e);
                Elementwise.Sigmoid<float>(x, s);
                Assert.True(e.AsSpan().SequenceEqual(expExpected.AsSpan(offset, length)), $"exp, length {length} at {offset}");
                Assert.True(s.AsSpan().SequenceEqual(sigmoidExpected.AsSpan(offset, length)), $"σ, length {length} at {offset}");
                float[] inPlace = x.ToArray();
                Elementwise.Sigmoid<float>(inPlace, inPlace);
                Assert.True(inPlace.SequenceEqual(s), $"σ in place, length {length} at {offset}");
            }
        }
    }
}
