namespace BatchNormNotebooks.Tests.Foundation;

public class DataAndTrainerTests
{
    [Fact]
    public void Lecture_rows_are_the_boards()
    {
        var d = PlacementData.LectureRows();
        Assert.Equal([6.0, 8, 9, 9, 8, 8, 5, 6], d.X.Data);
        Assert.Equal([0.0, 1, 1, 1], d.Y.Data);
    }

    [Fact]
    public void Generators_are_reproducible_and_seed_dependent()
    {
        Assert.Equal(PlacementData.Generate(50, 1).X.Data, PlacementData.Generate(50, 1).X.Data);
        Assert.NotEqual(PlacementData.Generate(50, 1).X.Data, PlacementData.Generate(50, 2).X.Data);
        Assert.Equal(TwoMoons.Generate(40, 5).X.Data, TwoMoons.Generate(40, 5).X.Data);
    }

    [Fact]
    public void Covariate_shift_background_follows_the_label_in_train_only()
    {
        var (train, test) = CovariateShiftData.Generate(4000, 3);
        static double Agreement(Dataset<double> d) =>
            Enumerable.Range(0, d.Count).Average(i => (d.X[i, 1] > 0 ? 1 : 0) == (int)d.Y[i, 0] ? 1.0 : 0.0);
        Assert.InRange(Agreement(train), 0.93, 0.97);
        Assert.InRange(Agreement(test), 0.46, 0.54);
    }

    [Fact]
    public void Standardized_features_have_mean_zero_and_std_one()
    {
        var d = PlacementData.Generate(200, 4).Standardized();
        for (int j = 0; j < 2; j++)
        {
            double[] c = d.X.Column(j);
            double mean = c.Average();
            Assert.Equal(0, mean, 10);
            Assert.Equal(1, Math.Sqrt(c.Average(v => (v - mean) * (v - mean))), 10);
        }
    }

    [Fact]
    public void Mnist_loads_ten_thousand_real_digits()
    {
        var (train, test) = NotebookData.LoadMnistDigits(testCount: 2000, seed: 1);
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal(784, train.X.Cols);
        Assert.InRange(train.X.Data.Max(), 0.9, 1.0);
        Assert.Equal(0, train.X.Data.Min());
        Assert.Equal(10, train.Y.Data.Distinct().Count());
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4 }, 50, 2.5)]
    [InlineData(new double[] { 4, 1, 3, 2 }, 0, 1)]
    [InlineData(new double[] { 1, 2, 3, 4, 5 }, 15, 1.6)]
    public void Percentile_interpolates_like_numpy(double[] values, double p, double expected)
    {
        Assert.Equal(expected, Trainer.Percentile(values, p), 12);
    }

    [Fact]
    public void Training_with_plain_gradient_descent_learns_the_moons()
    {
        var rng = new SeededRandom(9);
        var data = TwoMoons.Generate(400, 9);
        var net = new Sequential<double>(new Linear<double>(2, 16, rng), new Tanh<double>(), new Linear<double>(16, 1, rng), new Sigmoid<double>());
        void Step()
        {
            foreach (var p in net.Parameters)
            {
                for (int k = 0; k < p.Value.Length; k++)
                {
                    p.Value[k] -= 0.5 * p.Grad[k];
                }
            }
        }

        var history = Trainer.Train(net, new BinaryCrossEntropy<double>(), Step, data, data, new TrainingOptions(Steps: 1500, BatchSize: 32, Seed: 1, EvaluateEvery: 500));

        Assert.False(history.Diverged);
        Assert.True(history.FinalLoss() < history.Loss.Take(20).Average() / 2, history.ToString());
        Assert.True(history.TestAccuracy[^1] > 0.85, history.ToString());
        Assert.Equal(4, history.Percentiles.Count);
        Assert.Equal(history.EvaluationSteps.Count, history.Percentiles[0].Count);
    }

    [Fact]
    public void A_run_that_explodes_is_reported_as_diverged()
    {
        var rng = new SeededRandom(2);
        var data = PlacementData.Generate(100, 2);
        var net = new Sequential<double>(new Linear<double>(2, 1, rng));
        void Step()
        {
            foreach (var p in net.Parameters)
            {
                for (int k = 0; k < p.Value.Length; k++)
                {
                    p.Value[k] -= 10 * p.Grad[k];
                }
            }
        }

        var h = Trainer.Train(net, new MeanSquaredError<double>(), Step, data, null, new TrainingOptions(Steps: 500, BatchSize: 10));
        Assert.True(h.Diverged);
        Assert.True(h.Steps.Count < 500);
    }
}
