using System.Runtime.CompilerServices;

namespace BatchNormNotebooks.Tests.Tensors;

/// <summary>The output pool reuses a large output's array only once its matrix is unreachable and never handed out.
/// Each test uses an array length no other test rents, so tests running in parallel do not share a bucket.</summary>
public class OutputPoolTests
{
    [Fact]
    public void Kept_outputs_stay_intact_while_the_pool_reuses_dropped_ones()
    {
        // (131, 181) float32 = 94,844 bytes: pooled.
        var random = new SeededRandom(1);
        var bn = new BatchNorm1d<float>(181);
        var kept = new List<(Matrix<float> Matrix, float[] Snapshot)>();
        var arrays = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        const int calls = 300;
        for (int call = 0; call < calls; call++)
        {
            var x = Matrix<float>.RandomNormal(131, 181, random);
            var y = bn.Forward(x);
            var dx = bn.Backward(y);
            arrays.Add(y.Storage);
            arrays.Add(dx.Storage);
            if (call % 7 == 0)
            {
                kept.Add((y, y.Storage.ToArray()));
                kept.Add((dx, dx.Storage.ToArray()));
            }

            if (call % 10 == 0)
            {
                GC.Collect();
            }
        }

        foreach (var (matrix, snapshot) in kept)
        {
            Assert.Equal(snapshot, matrix.Storage);
        }

        // The test means something only if arrays were reused: far fewer distinct arrays than the 600 outputs.
        Assert.True(arrays.Count < calls, $"{arrays.Count} distinct arrays for {2 * calls} outputs: no reuse");
    }

    [Fact]
    public void An_array_taken_with_Data_is_never_reused_after_its_matrix_dies()
    {
        // (150, 150) float64 = 180,000 bytes: pooled.
        var random = new SeededRandom(2);
        var bn = new BatchNorm1d<double>(150);
        double[] held = ForwardAndTakeData(bn, Matrix<double>.RandomNormal(150, 150, random));
        double[] snapshot = held.ToArray();
        Churn(bn, random, 150, 150);
        Assert.Equal(snapshot, held);
    }

    [Fact]
    public void A_row_taken_with_Row_is_never_reused_after_its_matrix_dies()
    {
        // (151, 150) float64 = 181,200 bytes: pooled.
        var random = new SeededRandom(3);
        var bn = new BatchNorm1d<double>(150);
        Span<double> row = ForwardAndTakeRow(bn, Matrix<double>.RandomNormal(151, 150, random));
        double[] snapshot = row.ToArray();
        Churn(bn, random, 151, 150);
        Assert.Equal(snapshot, row.ToArray());
    }

    [Fact]
    public void A_dropped_output_array_is_reused_by_the_next_output_of_its_length()
    {
        // (97, 229) float32 = 88,852 bytes: pooled.
        var x = Matrix<float>.RandomNormal(97, 229, new SeededRandom(4));
        var bn = new BatchNorm1d<float>(229);
        float[] first = ForwardAndDrop(bn, x);
        GC.Collect();
        var y = bn.Forward(x);
        Assert.Same(first, y.Storage);
        Assert.Equal(1, OutputPool.LeaseCount<float>(97 * 229));

        // The reused array holds this call's values: the same bits as a fresh layer's output.
        var expected = new BatchNorm1d<float>(229).Forward(x);
        Assert.NotSame(expected.Storage, y.Storage);
        Assert.Equal(expected.Storage, y.Storage);
    }

    [Fact]
    public void Parallel_forward_and_backward_keep_every_kept_output_intact()
    {
        // (128, 200) float32 = 102,400 bytes: pooled; six rents of that length per call.
        var x = Matrix<float>.RandomNormal(128, 200, new SeededRandom(5));
        var dy = Matrix<float>.RandomNormal(128, 200, new SeededRandom(6));
        var (refY, refDx) = Chain(x, dy);
        float[] expectedY = refY.Storage.ToArray(), expectedDx = refDx.Storage.ToArray();
        const int tasks = 4, calls = 30;
        var kept = new (Matrix<float> Y, Matrix<float> Dx)[tasks][];
        Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = tasks }, t =>
        {
            var mine = new List<(Matrix<float>, Matrix<float>)>();
            var layers = Layers();
            for (int call = 0; call < calls; call++)
            {
                var y = layers.Act.Forward(layers.Bn.Forward(layers.Lin.Forward(x)));
                var dx = layers.Lin.Backward(layers.Bn.Backward(layers.Act.Backward(dy)));   // temporaries dropped at once
                Assert.Equal(expectedY, y.Storage);
                Assert.Equal(expectedDx, dx.Storage);
                if (call % 3 == 0)
                {
                    mine.Add((y, dx));
                }

                if (call % 5 == t)
                {
                    GC.Collect(1, GCCollectionMode.Forced, blocking: true);
                }
            }

            kept[t] = [.. mine];
        });

        Assert.All(kept.SelectMany(k => k), pair =>
        {
            Assert.Equal(expectedY, pair.Y.Storage);
            Assert.Equal(expectedDx, pair.Dx.Storage);
        });
    }

    [Fact]
    public void Small_outputs_and_wrapped_arrays_are_not_pooled()
    {
        // The LOH threshold, by hand: 85,000 bytes = 21,250 floats = 10,625 doubles.
        Assert.False(OutputPool.IsPooled<float>(21_249));
        Assert.True(OutputPool.IsPooled<float>(21_250));
        Assert.False(OutputPool.IsPooled<double>(10_624));
        Assert.True(OutputPool.IsPooled<double>(10_625));

        // (100, 53) float32 = 21,200 bytes: a plain gen-0 array, no lease, none ever made for that length.
        var bn = new BatchNorm1d<float>(53);
        var random = new SeededRandom(7);
        for (int call = 0; call < 20; call++)
        {
            var y = bn.Forward(Matrix<float>.RandomNormal(100, 53, random));
            Assert.Null(y.Lease);
            Assert.Null(bn.Backward(y).Lease);
        }

        Assert.Equal(0, OutputPool.LeaseCount<float>(100 * 53));

        // Large: a fresh output is leased until its storage is handed out; a wrapped caller's array never is.
        var large = new BatchNorm1d<float>(233).Forward(Matrix<float>.RandomNormal(101, 233, random));
        Assert.NotNull(large.Lease);
        _ = large.Data;
        Assert.Null(large.Lease);
        Assert.Null(new Matrix<float>(101, 233, new float[101 * 233]).Lease);
    }

    [Fact]
    public void A_caller_who_keeps_every_output_gets_bounded_leases_and_backed_off_collections()
    {
        // (89, 241) float32 = 85,796 bytes: collect at 64 leases, at most 128. All 400 outputs kept, so every forced
        // collection is fruitless and doubles the rents that skip it: by hand, collections at rents 65, 67, 70, 75, 84,
        // 101, 134, 199, then every 65th (skip 64): 264, 329, 394 — 11, where collecting on every rent past 64 would be 336.
        const int length = 89 * 241;
        var kept = new List<Matrix<float>>();
        for (int rent = 1; rent <= 400; rent++)
        {
            var m = Matrix<float>.Uninitialized(89, 241);
            m.Storage.AsSpan().Fill(rent);
            kept.Add(m);
            Assert.Equal(rent <= 128, m.Lease is not null);   // leases up to the cap, then plain untracked arrays
        }

        Assert.Equal(128, OutputPool.LeaseCount<float>(length));
        Assert.Equal(11, OutputPool.CollectionsFor<float>(length));
        for (int k = 0; k < kept.Count; k++)
        {
            Assert.All(kept[k].Storage, v => Assert.Equal(k + 1, v));
        }

        // Dropped and collected, they come back: the next rent reuses a free lease instead of adding one.
        kept.Clear();
        GC.Collect();
        Assert.NotNull(Matrix<float>.Uninitialized(89, 241).Lease);
        Assert.Equal(128, OutputPool.LeaseCount<float>(length));
    }

    [Theory]
    [InlineData(256 * 1024, 64)]             // (256, 256) float32: 64 × 256 KiB = 16 MiB circulate
    [InlineData(1024 * 1024, 16)]            // 1 MiB: 16
    [InlineData(85_000, 64)]                 // the smallest pooled array: at most 64
    [InlineData(64L * 1024 * 1024, 4)]       // (65536, 256) float32: at least 4
    public void Leases_before_a_collection_keep_16_MiB_of_a_length_in_circulation_within_4_to_64(long bytes, int expected)
    {
        Assert.Equal(expected, OutputPool.CollectAt(bytes));
        Assert.Equal(2 * expected, OutputPool.MaxLeases(bytes));
    }

    private static (Linear<float> Lin, BatchNorm1d<float> Bn, Tanh<float> Act) Layers() =>
        (new Linear<float>(200, 200, new SeededRandom(8)), new BatchNorm1d<float>(200), new Tanh<float>());

    private static (Matrix<float> Y, Matrix<float> Dx) Chain(Matrix<float> x, Matrix<float> dy)
    {
        var layers = Layers();
        var y = layers.Act.Forward(layers.Bn.Forward(layers.Lin.Forward(x)));
        return (y, layers.Lin.Backward(layers.Bn.Backward(layers.Act.Backward(dy))));
    }

    /// <summary>200 forward/backward calls of one shape, outputs dropped, a full collection every 10.</summary>
    private static void Churn(BatchNorm1d<double> bn, SeededRandom random, int rows, int cols)
    {
        for (int call = 0; call < 200; call++)
        {
            var y = bn.Forward(Matrix<double>.RandomNormal(rows, cols, random));
            _ = bn.Backward(y);
            if (call % 10 == 0)
            {
                GC.Collect();
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double[] ForwardAndTakeData(BatchNorm1d<double> bn, Matrix<double> x) => bn.Forward(x).Data;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Span<double> ForwardAndTakeRow(BatchNorm1d<double> bn, Matrix<double> x) => bn.Forward(x).Row(0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float[] ForwardAndDrop(BatchNorm1d<float> bn, Matrix<float> x) => bn.Forward(x).Storage;
}

[CollectionDefinition(nameof(OutputPoolCapCollection), DisableParallelization = true)]
public class OutputPoolCapCollection
{
}

/// <summary>Fills most of the pool's byte cap, so it runs alone: a test running beside it could find no room for a lease.</summary>
[Collection(nameof(OutputPoolCapCollection))]
public class OutputPoolCapTests
{
    [Fact]
    public void A_new_length_makes_room_under_the_cap_by_dropping_free_leases_of_another()
    {
        // 40 MiB arrays (never written: uninitialized, so no page is touched); the cap is 256 MiB here.
        const int lengthA = 10 << 20, lengthB = lengthA + 1;
        Assert.True(OutputPool.CapBytes >= 256L << 20, "the machine gives the GC under 2 GiB; the test assumes the 256 MiB cap");
        RentAndDrop(lengthA, 5);   // 200 MiB of A, dropped
        GC.Collect();
        Assert.Equal(5, OutputPool.LeaseCount<float>(lengthA));

        var keptB = new List<Matrix<float>>();
        for (int k = 0; k < 5; k++)
        {
            keptB.Add(Matrix<float>.Uninitialized(1, lengthB));
            Assert.NotNull(keptB[^1].Lease);   // without dropping A's free leases, the second would not fit
        }

        // 200 MiB of B live: at most one 40 MiB lease of A fits beside it under 256 MiB, and the cap holds.
        Assert.True(OutputPool.LeaseCount<float>(lengthA) <= 1, $"{OutputPool.LeaseCount<float>(lengthA)} leases of A left");
        Assert.True(OutputPool.TrackedBytes <= OutputPool.CapBytes, $"{OutputPool.TrackedBytes} tracked bytes");
        GC.KeepAlive(keptB);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RentAndDrop(int length, int count)
    {
        var kept = new List<Matrix<float>>();
        for (int k = 0; k < count; k++)
        {
            kept.Add(Matrix<float>.Uninitialized(1, length));
        }

        Assert.All(kept, m => Assert.NotNull(m.Lease));
    }
}
