namespace BatchNormNotebooks.Tests.Experiments;

/// <summary>The controlled placement study of notebooks/03-batchnorm-algorithm §5: same weights in every arm,
/// the network shapes, reproducibility, and the spread over seeds.</summary>
public class PlacementStudyTests
{
    private static readonly BatchNormPlacement[] All = [BatchNormPlacement.None, BatchNormPlacement.BeforeActivation, BatchNormPlacement.AfterActivation];

    private static List<Linear<double>> Linears(Sequential<double> net) => [.. net.Layers.OfType<Linear<double>>()];

    [Fact]
    public void Every_placement_starts_from_the_same_linear_weights_for_a_seed()
    {
        var nets = All.Select(p => PlacementStudy.Network(p, inputs: 2, seed: 3)).ToArray();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(Linears(nets[0])[k].Weight.Value, Linears(nets[1])[k].Weight.Value);
            Assert.Equal(Linears(nets[0])[k].Weight.Value, Linears(nets[2])[k].Weight.Value);
        }

        // The biases that exist agree (none vs after); before-g has none in its hidden layers.
        Assert.Equal(Linears(nets[0])[1].Bias!.Value, Linears(nets[2])[1].Bias!.Value);
        Assert.Null(Linears(nets[1])[0].Bias);
        Assert.Equal(Linears(nets[0])[2].Bias!.Value, Linears(nets[1])[2].Bias!.Value);
    }

    [Fact]
    public void A_shared_stream_would_not_give_the_same_weights()
    {
        // The bug the per-layer streams fix: dropping the first layer's bias shifts the second layer's draws.
        var shared1 = new SeededRandom(3);
        _ = new Linear<double>(2, 8, shared1);
        var second1 = new Linear<double>(8, 8, shared1);
        var shared2 = new SeededRandom(3);
        _ = new Linear<double>(2, 8, shared2, bias: false);
        var second2 = new Linear<double>(8, 8, shared2, bias: false);
        Assert.NotEqual(second1.Weight.Value, second2.Weight.Value);
    }

    [Fact]
    public void Layer_seeds_are_seed_times_1000_plus_layer_and_seeds_differ()
    {
        Assert.Equal(3001UL, PlacementStudy.LayerSeed(3, 1));
        Assert.Equal(new Linear<double>(2, 8, new SeededRandom(3000)).Weight.Value,
            Linears(PlacementStudy.Network(BatchNormPlacement.None, 2, seed: 3))[0].Weight.Value);
        Assert.NotEqual(Linears(PlacementStudy.Network(BatchNormPlacement.None, 2, 1))[0].Weight.Value,
            Linears(PlacementStudy.Network(BatchNormPlacement.None, 2, 2))[0].Weight.Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => PlacementStudy.LayerSeed(1, -1));
    }

    [Theory]
    [InlineData(BatchNormPlacement.None, "Linear(2→8) → Sigmoid → Linear(8→8) → Sigmoid → Linear(8→1) → Sigmoid")]
    [InlineData(BatchNormPlacement.BeforeActivation, "Linear(2→8, no bias) → BatchNorm1d(8) → Sigmoid → Linear(8→8, no bias) → BatchNorm1d(8) → Sigmoid → Linear(8→1) → Sigmoid")]
    [InlineData(BatchNormPlacement.AfterActivation, "Linear(2→8) → Sigmoid → BatchNorm1d(8) → Linear(8→8) → Sigmoid → BatchNorm1d(8) → Linear(8→1) → Sigmoid")]
    public void Networks_put_the_batch_norm_where_asked(BatchNormPlacement placement, string expected) =>
        Assert.Equal(expected, PlacementStudy.Network(placement, 2, 1).Name);

    [Fact]
    public void Training_is_reproducible_and_standardizing_changes_the_run()
    {
        var train = PlacementData.Generate(200, 11);
        var test = PlacementData.Generate(50, 12);
        var options = new StudyOptions(Steps: 20, BatchSize: 16);
        var raw = new StudyArm("raw", BatchNormPlacement.None);
        var a = PlacementStudy.Train(raw, train, test, 4, options);
        var b = PlacementStudy.Train(raw, train, test, 4, options);
        var s = PlacementStudy.Train(raw with { StandardizeInputs = true }, train, test, 4, options);
        Assert.Equal(a.Loss, b.Loss);
        Assert.Equal(20, a.Loss.Count);
        Assert.NotEqual(a.Loss[0], s.Loss[0]);
        Assert.Equal(2, PlacementStudy.Run(raw, train, test, [1UL, 2UL], options).Count);

        // Run trains the seeds in parallel: the same histories, in the order of the seeds, as one by one.
        ulong[] seeds = [5, 1, 4, 2, 3, 6];
        var parallel = PlacementStudy.Run(raw, train, test, seeds, options);
        for (int k = 0; k < seeds.Length; k++)
        {
            Assert.Equal(PlacementStudy.Train(raw, train, test, seeds[k], options).Loss, parallel[k].Loss);
        }
    }

    [Fact]
    public void Train_network_returns_the_trained_network_whose_eval_accuracy_is_the_recorded_one()
    {
        var train = PlacementData.Generate(200, 11);
        var test = PlacementData.Generate(50, 12);
        var options = new StudyOptions(Steps: 30, BatchSize: 16);
        var arm = new StudyArm("after", BatchNormPlacement.AfterActivation);
        var (net, history) = PlacementStudy.TrainNetwork(arm, train, test, 4, options);
        Assert.Equal(PlacementStudy.Train(arm, train, test, 4, options).Loss, history.Loss);
        Assert.True(net.Training);
        var untrained = PlacementStudy.Network(arm.Placement, 2, 4);
        Assert.NotEqual(untrained.Parameters[0].Value, net.Parameters[0].Value);   // it is the trained one
        net.Training = false;
        Assert.Equal(history.TestAccuracy[^1], Trainer.Accuracy(net.Forward(test.X), test.Y));
    }

    [Fact]
    public void Eval_offsets_measure_each_batch_norms_input_mean_against_its_running_statistics()
    {
        // One BN of two units after a Linear that is the identity: its input is x itself.
        var linear = new Linear<double>(2, 2, new SeededRandom(1), name: "id");
        linear.Weight.Value.AsSpan().Clear();
        linear.Weight.Value[0] = 1;
        linear.Weight.Value[3] = 1;
        linear.Bias!.Value.AsSpan().Clear();
        var bn = new BatchNorm1d<double>(2);
        var net = new Sequential<double>(linear, bn);
        var x = Matrix<double>.FromRows([[1.0, 10], [3, 10]]);   // column means 2 and 10
        bn.Running.Mean[0] = 1;
        bn.Running.Variance[0] = 4 - 1e-5;                     // offset (2 − 1)/√4 = 0.5
        bn.Running.Mean[1] = 10;
        bn.Running.Variance[1] = 1 - 1e-5;                     // offset 0
        var data = new Dataset<double>("two rows", x, new Matrix<double>(2, 1), ["a", "b"]);
        double[] offsets = PlacementStudy.EvalOffsets(net, data);
        Assert.Single(offsets);
        Assert.Equal(Math.Sqrt(((0.5 * 0.5) + 0) / 2), offsets[0], 12);
        Assert.True(net.Training);                             // left in the mode it was in
        Assert.Empty(PlacementStudy.EvalOffsets(PlacementStudy.Network(BatchNormPlacement.None, 2, 1), data));
    }

    [Fact]
    public void Spread_uses_the_sample_std_and_overlap_compares_mean_gaps_with_summed_stds()
    {
        var s = Spread.Of([1.0, 2, 3, 4]);
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), s.Std, 12);   // Σ(x − 2.5)² = 5, divided by n − 1 = 3
        Assert.Equal((1.0, 4.0, 4), (s.Min, s.Max, s.Count));
        Assert.Equal(0, Spread.Of([7.0]).Std);
        Assert.True(new Spread(1, 0.3, 0, 0, 2).Overlaps(new Spread(1.5, 0.25, 0, 0, 2)));
        Assert.False(new Spread(1, 0.2, 0, 0, 2).Overlaps(new Spread(1.5, 0.25, 0, 0, 2)));
        Assert.Equal("2.50 ± 1.29", s.ToString("F2"));
        Assert.Throws<ArgumentException>(() => Spread.Of([]));
    }

    [Fact]
    public void Loss_over_seeds_smooths_each_run_then_averages()
    {
        var h1 = new TrainingHistory();
        h1.Loss.AddRange([4.0, 2, 0]);
        var h2 = new TrainingHistory();
        h2.Loss.AddRange([2.0, 2, 2]);
        var (step, mean, std) = PlacementStudy.LossOverSeeds([h1, h2], window: 2);
        Assert.Equal([1.0, 2, 3], step);
        // Smoothed: h1 → 4, 3, 1; h2 → 2, 2, 2. Means 3, 2.5, 1.5; sample stds √2, √0.5, √0.5.
        Assert.Equal([3.0, 2.5, 1.5], mean);
        Assert.Equal(Math.Sqrt(2), std[0], 12);
        Assert.Equal(Math.Sqrt(0.5), std[2], 12);
        var h3 = new TrainingHistory();
        h3.Loss.Add(1);
        Assert.Throws<ArgumentException>(() => PlacementStudy.LossOverSeeds([h1, h3]));
    }
}
