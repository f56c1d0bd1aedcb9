namespace BatchNormNotebooks.Tests.Experiments;

public class Figure1ExperimentTests
{
    /// <summary>A small learnable problem: 4 classes, 12 features, class k lights up features 3k…3k+2.</summary>
    private static (Dataset<float> Train, Dataset<float> Test) Toy(int n = 600)
    {
        var rng = new SeededRandom(42);
        Dataset<float> Make(int rows)
        {
            var x = new Matrix<float>(rows, 12);
            var y = new Matrix<float>(rows, 1);
            for (int i = 0; i < rows; i++)
            {
                int label = rng.NextInt(4);
                y[i, 0] = label;
                for (int j = 0; j < 12; j++)
                {
                    x[i, j] = (float)(rng.NextDouble() * 0.5 + (j / 3 == label ? 0.5 : 0));
                }
            }

            return new Dataset<float>("toy", x, y, [.. Enumerable.Range(0, 12).Select(j => $"f{j}")]);
        }

        return (Make(n), Make(200));
    }

    private static readonly Figure1Options ToyOptions = new()
    {
        Steps = 120,
        BatchSize = 20,
        HiddenUnits = 8,
        RecordEvery = 40,
        EarlyRecordEvery = 10,
        EarlyRecordUntil = 40,
        LearningRateGrid = [1e-4, 1.0],
        TuningSteps = 100,
        TuningHeldOut = 200,
    };

    [Fact]
    public void The_networks_are_the_papers_784_100_100_100_10_sigmoid_MLP_with_BN_before_each_sigmoid()
    {
        var plain = Figure1Experiment.BuildNetwork(false, new Figure1Options());
        var bn = Figure1Experiment.BuildNetwork(true, new Figure1Options());
        Assert.Equal("Linear(784→100) → Sigmoid → Linear(100→100) → Sigmoid → Linear(100→100) → Sigmoid → Linear(100→10)", plain.Name);
        Assert.Equal("Linear(784→100, no bias) → BatchNorm1d(100) → Sigmoid → Linear(100→100, no bias) → BatchNorm1d(100) → Sigmoid → "
            + "Linear(100→100, no bias) → BatchNorm1d(100) → Sigmoid → Linear(100→10)", bn.Name);
        Assert.Equal("Linear(100→100)", plain.Layers[Figure1Experiment.ProbeLayer(plain)].Name);
        Assert.Equal("BatchNorm1d(100)", bn.Layers[Figure1Experiment.ProbeLayer(bn)].Name);

        // same Gaussian weights in both, std ≈ 0.1, mean ≈ 0; biases start at 0
        var w = ((Linear<float>)plain.Layers[0]).Weight.Value;
        Assert.Equal(w, ((Linear<float>)bn.Layers[0]).Weight.Value);
        double mean = w.Average(v => (double)v), std = Math.Sqrt(w.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(std, 0.099, 0.101);   // 78,400 draws: the std's standard error is 0.1/√(2·78,400) ≈ 2.5e-4
        Assert.InRange(mean, -0.0015, 0.0015);
        Assert.All(((Linear<float>)plain.Layers[0]).Bias!.Value, b => Assert.Equal(0f, b));
    }

    [Fact]
    public void The_record_schedule_is_dense_early_then_every_RecordEvery_steps()
    {
        Assert.Equal([0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 1000, 1500, 1700],
            new Figure1Options { Steps = 1700 }.RecordSteps());
        var full = new Figure1Options().RecordSteps();
        Assert.Equal(1 + 10 + 99, full.Count);   // step 0, 50…500, 1,000…50,000
        Assert.Equal(50_000, full[^1]);
        Assert.True(full.Zip(full.Skip(1)).All(p => p.Second - p.First <= 500));
    }

    [Fact]
    public void A_shorter_run_reproduces_the_first_records_of_a_longer_one_bit_for_bit()
    {
        var (train, test) = Toy();
        var longRun = Figure1Experiment.Train(true, 0.5, train, test, ToyOptions);
        var shortRun = Figure1Experiment.Train(true, 0.5, train, test, ToyOptions with { Steps = 40 });
        AssertSameRecords(longRun.Prefix(40), shortRun, "toy");
        Assert.Equal([0, 10, 20, 30, 40], shortRun.Steps);

        // and the run learns the toy problem
        Assert.True(longRun.FinalAccuracy > 0.9, $"toy accuracy {longRun.FinalAccuracy}");
        Assert.True(longRun.TestAccuracy[0] < 0.5, $"accuracy before training {longRun.TestAccuracy[0]}");
    }

    [Fact]
    public void Progress_is_reported_at_every_record()
    {
        var (train, test) = Toy();
        var seen = new List<Figure1Progress>();
        var curve = Figure1Experiment.Train(false, 0.5, train, test, ToyOptions, new SyncProgress(seen.Add));
        Assert.Equal(curve.Steps, seen.Select(p => p.Step));
        Assert.Equal(curve.TestAccuracy, seen.Select(p => p.TestAccuracy));
        Assert.All(seen, p => Assert.Equal("without BN", p.Network));
    }

    [Fact]
    public void The_protocol_picks_the_rate_with_the_best_held_out_accuracy()
    {
        var (train, _) = Toy(800);
        var choice = Figure1Experiment.ChooseLearningRate(true, train, ToyOptions);
        Assert.Equal([1e-4, 1.0], choice.Trials.Select(t => t.LearningRate));
        Assert.Equal(1.0, choice.Chosen);                               // 100 steps at 1e-4 barely move the weights
        Assert.True(choice.Trials[1].HeldOutAccuracy > choice.Trials[0].HeldOutAccuracy + 0.3, choice.ToString());
    }

    [Fact]
    public void The_result_round_trips_through_json_exactly()
    {
        var (train, test) = Toy();
        var result = Figure1Experiment.Run(train, test, ToyOptions with { Steps = 30 }, (0.5, 0.7), "test");
        var path = Path.GetTempFileName();
        try
        {
            result.Save(path);
            var back = Figure1Result.Load(path);
            AssertSameRecords(result.WithoutBatchNorm, back.WithoutBatchNorm, "json");
            AssertSameRecords(result.WithBatchNorm, back.WithBatchNorm, "json");
            Assert.Equal(result.Options.RecordSteps(), back.Options.RecordSteps());
            Assert.Equal(0.7, back.WithBatchNorm.LearningRate);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// The committed full result is what the code computes: a fresh run of the first K steps at the file's seed,
    /// options and learning rates gives the file's first records bit for bit (the records before step K are
    /// identical in a K-step and a 50,000-step run).
    /// </summary>
    [Fact]
    public void The_committed_full_result_is_what_the_code_computes()
    {
        const int k = 200;
        var file = NotebookData.LoadFigure1Full();
        Assert.Equal(50_000, file.Options.Steps);
        Assert.Equal(50_000, file.WithBatchNorm.Steps[^1]);
        Assert.Equal(file.Options.RecordSteps(), file.WithoutBatchNorm.Steps);
        Assert.Equal(10_000, file.Provenance.TestDigits);
        Assert.Equal(60_000, file.Provenance.TrainDigits);
        Assert.StartsWith(Figure1Experiment.FullCommand, file.Provenance.Command, StringComparison.Ordinal);

        var (train, test) = NotebookData.LoadMnistFull();
        var shortOptions = file.Options with { Steps = k };
        Parallel.ForEach(file.Curves, stored =>
        {
            var fresh = Figure1Experiment.Train(stored.BatchNorm, stored.LearningRate, train, test, shortOptions);
            Assert.Equal(5, fresh.Steps.Length);
            AssertSameRecords(stored.Prefix(k), fresh,
                $"notebooks/data/figure1-full.json ({stored.Network}) differs from a fresh {k}-step run: recompute it with `{Figure1Experiment.FullCommand}`");
        });
    }

    /// <summary>Issue 22: with every matrix product split between threads (rows or column panels, never a reduction),
    /// the network with BN still reproduces the committed file's first records bit for bit.</summary>
    [Fact]
    public void The_committed_full_result_is_what_the_code_computes_with_every_product_threaded()
    {
        const int k = 100;
        var file = NotebookData.LoadFigure1Full();
        var (train, test) = NotebookData.LoadMnistFull();
        var stored = file.WithBatchNorm;
        using var threaded = MatrixProduct.ThreadEveryProduct();
        var fresh = Figure1Experiment.Train(stored.BatchNorm, stored.LearningRate, train, test, file.Options with { Steps = k });
        AssertSameRecords(stored.Prefix(k), fresh, $"notebooks/data/figure1-full.json ({stored.Network}) differs from a {k}-step run with threaded products");
    }

    /// <summary>Notebook 02's live cell records less often than the stored run; at the steps both recorded, the test
    /// metrics must be the stored ones bit for bit (an evaluation changes no training state).</summary>
    [Fact]
    public void A_live_run_that_records_less_often_gives_the_stored_numbers_at_the_shared_steps()
    {
        var file = NotebookData.LoadFigure1Full();
        var (train, test) = NotebookData.LoadMnistFull();
        var live = Figure1Experiment.RunLive(train, test, file, steps: 200, earlyRecordEvery: 100);
        foreach (var (mine, stored) in live.Curves.Zip(file.Curves))
        {
            Assert.Equal([0, 100, 200], mine.Steps);
            foreach (var (i, step) in mine.Steps.Index())
            {
                int j = Array.IndexOf(stored.Steps, step);
                Assert.Equal(stored.TestAccuracy[j], mine.TestAccuracy[i]);
                Assert.Equal(stored.TestLoss[j], mine.TestLoss[i]);
                Assert.Equal((stored.P15[j], stored.P50[j], stored.P85[j]), (mine.P15[i], mine.P50[i], mine.P85[i]));
            }
        }
    }

    private static void AssertSameRecords(Figure1Curve expected, Figure1Curve actual, string what)
    {
        Assert.True(expected.Steps.SequenceEqual(actual.Steps), $"{what}: steps {string.Join(",", expected.Steps)} vs {string.Join(",", actual.Steps)}");
        foreach (var (name, e, a) in new[]
        {
            ("test accuracy", expected.TestAccuracy, actual.TestAccuracy), ("test loss", expected.TestLoss, actual.TestLoss),
            ("train loss", expected.TrainLoss, actual.TrainLoss), ("p15", expected.P15, actual.P15),
            ("p50", expected.P50, actual.P50), ("p85", expected.P85, actual.P85),
        })
        {
            for (int i = 0; i < e.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(e[i]) == BitConverter.DoubleToInt64Bits(a[i]),
                    $"{what}: {name} at step {expected.Steps[i]} is {e[i]:R} in one and {a[i]:R} in the other");
            }
        }
    }

    private sealed class SyncProgress(Action<Figure1Progress> report) : IProgress<Figure1Progress>
    {
        public void Report(Figure1Progress value) => report(value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainFirstSteps_is_the_network_Train_records_at_that_step(bool batchNorm)
    {
        var (train, test) = Toy();
        var curve = Figure1Experiment.Train(batchNorm, 1.0, train, test, ToyOptions);
        var net = Figure1Saturation.TrainFirstSteps(batchNorm, 1.0, train, ToyOptions, steps: 40);
        var (_, _, median) = Figure1Saturation.Measure(net, test, ToyOptions.ProbeUnit);
        Assert.Equal(Figure1Seeds.At(curve, curve.P50, 40), median);   // same weights, batches and updates: bit for bit
    }

    [Fact]
    public void Saturation_counts_inputs_and_unit_medians_where_the_sigmoid_slope_is_small()
    {
        Assert.Equal(0.25, Figure1Saturation.Slope(0), 12);
        Assert.Equal(Math.Exp(3) / Math.Pow(1 + Math.Exp(3), 2), Figure1Saturation.Slope(-3), 12);   // σ(z)(1 − σ(z)) = e^z/(1 + e^z)²
        var (train, test) = Toy();
        var net = Figure1Saturation.TrainFirstSteps(false, 1.0, train, ToyOptions, steps: 0);
        var (inputs, units, _) = Figure1Saturation.Measure(net, test, 0, slopeBelow: 0.25);   // every slope is below its peak 0.25 unless z = 0
        Assert.Equal(1, inputs);
        Assert.Equal(1, units);
        var (none, noUnit, _) = Figure1Saturation.Measure(net, test, 0, slopeBelow: 1e-6);    // the untrained layer's inputs are small
        Assert.Equal(0, none);
        Assert.Equal(0, noUnit);
        Assert.Throws<ArgumentOutOfRangeException>(() => Figure1Saturation.Measure(net, test, 0, slopeBelow: 0.3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Figure1Saturation.Measure(net, test, ToyOptions.HiddenUnits));
    }
}
