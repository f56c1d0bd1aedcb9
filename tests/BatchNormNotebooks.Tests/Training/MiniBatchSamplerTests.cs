namespace BatchNormNotebooks.Tests.Training;

/// <summary>MiniBatchSampler: the batches the trainers have always drawn (pinned against the loop it replaced), every
/// row once per epoch, the copied matrices, bad input.</summary>
public class MiniBatchSamplerTests
{
    /// <summary>Ten rows whose X is (i, 10 i) and Y is i, so a batch's rows can be read back from its contents.</summary>
    private static Dataset<double> Rows(int n) => new("rows",
        new Matrix<double>(n, 2, [.. Enumerable.Range(0, n).SelectMany(i => new double[] { i, 10 * i })]),
        new Matrix<double>(n, 1, [.. Enumerable.Range(0, n).Select(i => (double)i)]),
        ["i", "10 i"]);

    [Fact]
    public void Epoch_batches_are_consecutive_slices_of_a_permutation_reshuffled_in_place_when_too_few_rows_are_left()
    {
        // The loop Trainer, Diagnostics and Figure1Experiment each ran before the sampler, written out independently.
        var random = new SeededRandom(5);
        int[] order = random.Permutation(10);
        int cursor = 0;
        var sampler = new MiniBatchSampler<double>(Rows(10), 3, 5);
        for (int step = 0; step < 12; step++)               // 4 epochs of 3 batches, 1 row left over each
        {
            if (cursor + 3 > order.Length)
            {
                random.Shuffle<int>(order);
                cursor = 0;
            }

            Assert.Equal(order[cursor..(cursor + 3)], sampler.NextRows().ToArray());
            cursor += 3;
        }
    }

    [Fact]
    public void Independent_batches_are_the_head_of_a_fresh_permutation_each_step()
    {
        // The draw CovariateShiftExperiments.Run made before the sampler.
        var random = new SeededRandom(9);
        var sampler = new MiniBatchSampler<double>(Rows(10), 4, 9, MiniBatchOrder.Independent);
        for (int step = 0; step < 5; step++)
        {
            Assert.Equal(random.Permutation(10)[..4], sampler.NextRows().ToArray());
        }
    }

    [Fact]
    public void An_epoch_sees_every_row_once()
    {
        var sampler = new MiniBatchSampler<double>(Rows(12), 4, 1);
        int[] seen = [.. Enumerable.Range(0, 3).SelectMany(_ => sampler.NextRows().ToArray())];
        Assert.Equal(Enumerable.Range(0, 12), seen.Order());
    }

    [Fact]
    public void Next_copies_the_rows_of_X_and_Y_of_the_batch()
    {
        var rows = new MiniBatchSampler<double>(Rows(10), 3, 2).NextRows().ToArray();
        var (x, y) = new MiniBatchSampler<double>(Rows(10), 3, 2).Next();
        Assert.Equal((3, 2), (x.Rows, x.Cols));
        Assert.Equal((3, 1), (y.Rows, y.Cols));
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal([rows[r], 10.0 * rows[r]], x.Row(r).ToArray());
            Assert.Equal(rows[r], y[r, 0]);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void A_batch_size_outside_1_to_n_is_refused_naming_the_range(int batchSize)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatchSampler<double>(Rows(10), batchSize, 0));
        Assert.Equal("batchSize", e.ParamName);
        Assert.Contains("1…10", e.Message, StringComparison.Ordinal);
    }
}
