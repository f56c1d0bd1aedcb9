using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>Issue 11 §3: the non-temporal eval path must give the row-by-row loop's numbers bit for bit, whatever the
/// alignment of y, the feature count (vectors straddling rows) and the element type.</summary>
public class BatchNormStreamingTests
{
    public static TheoryData<int, int> Cases => new()
    {
        { 8, 0 }, { 13, 1 }, { 256, 3 }, { 1000, 2 }, { 1031, 5 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float_matches_the_row_loop_bit_for_bit(int features, int offset) => Check<float>(features, offset);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Double_matches_the_row_loop_bit_for_bit(int features, int offset) => Check<double>(features, offset);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Training_forward_and_backward_passes_match_row_by_row_bit_for_bit(int features, int offset)
    {
        CheckTrainingPasses<float>(features, offset);
        CheckTrainingPasses<double>(features, offset);
    }

    [Fact]
    public void Small_outputs_and_narrow_rows_keep_the_ordinary_stores()
    {
        Assert.False(BatchNormStreaming.Applies<float>((BatchNormStreaming.MinimumBytes / sizeof(float)) - 1, 256));
        Assert.False(BatchNormStreaming.Applies<float>(1 << 24, 4));                      // n below one vector
        Assert.Equal(Vector256.IsHardwareAccelerated, BatchNormStreaming.Applies<float>(1 << 24, 256));
    }

    /// <summary>One row at a time stays below <see cref="BatchNormStreaming.MinimumBytes"/> (ordinary stores); all rows
    /// at once take the streaming path.</summary>
    private static void CheckTrainingPasses<T>(int features, int offset) where T : IFloatingPointIeee754<T>
    {
        int rows = (BatchNormStreaming.MinimumBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>() / features) + 3;
        int length = rows * features;
        var random = new SeededRandom((ulong)(features * offset) + 17);
        T[] Normal(int count) => [.. Enumerable.Range(0, count).Select(_ => T.CreateChecked(random.NextNormal(1, 2)))];
        T[] x = Normal(length), dy = Normal(length), mean = Normal(features), scale = Normal(features), shift = Normal(features), slope = Normal(features);
        x[(5 * features) + 3] = T.NaN;
        var expectedY = new T[length];
        var expectedDx = new T[length];
        for (int i = 0; i < rows; i++)
        {
            BatchNormRows.Normalize<T>(x, features, i, i + 1, mean, scale, shift, expectedY);
            BatchNormRows.Backward<T>(dy, x, features, i, i + 1, mean, scale, shift, slope, expectedDx);
        }

        var y = new T[length + offset];
        var dx = new T[length + offset];
        BatchNormRows.Normalize<T>(x, features, 0, rows, mean, scale, shift, y.AsSpan(offset));
        BatchNormRows.Backward<T>(dy, x, features, 0, rows, mean, scale, shift, slope, dx.AsSpan(offset));
        Assert.Equal(expectedY, y.AsSpan(offset).ToArray());
        Assert.Equal(expectedDx, dx.AsSpan(offset).ToArray());
        Assert.True(T.IsNaN(y[offset + (5 * features) + 3]) && !T.IsNaN(y[offset + (5 * features) + 4]));
    }

    private static void Check<T>(int features, int offset) where T : IFloatingPointIeee754<T>
    {
        int rows = (BatchNormStreaming.MinimumBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>() / features) + 3;
        int length = rows * features;
        var random = new SeededRandom((ulong)(features + offset));
        T[] x = [.. Enumerable.Range(0, length).Select(_ => T.CreateChecked(random.NextNormal(3, 2)))];
        x[(7 * features) + 5] = T.NaN;
        T[] scale = [.. Enumerable.Range(0, features).Select(_ => T.CreateChecked(random.NextUniform(0.5, 1.5)))];
        T[] shift = [.. Enumerable.Range(0, features).Select(_ => T.CreateChecked(random.NextNormal()))];
        var expected = new T[length];
        for (int i = 0; i < rows; i++)
        {
            TensorPrimitives.MultiplyAdd<T>(x.AsSpan(i * features, features), scale, shift, expected.AsSpan(i * features, features));
        }

        var storage = new T[length + offset + 1];   // y starts `offset` elements into an array: not 32-byte aligned
        Span<T> y = storage.AsSpan(offset, length);
        bool streamed = BatchNormStreaming.TryAffine<T>(x, features, scale, shift, y);
        Assert.Equal(Vector256.IsHardwareAccelerated, streamed);
        if (streamed)
        {
            Assert.Equal(expected, y.ToArray());
            Assert.Equal(T.Zero, storage[length + offset]);   // nothing written past the end
            Assert.True(T.IsNaN(y[(7 * features) + 5]) && !T.IsNaN(y[(7 * features) + 4]) && !T.IsNaN(y[(7 * features) + 6]));
        }
    }
}
