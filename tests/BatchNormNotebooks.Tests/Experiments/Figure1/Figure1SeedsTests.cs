namespace BatchNormNotebooks.Tests.Experiments;

public class Figure1SeedsTests
{
    private static Figure1Curve Curve(bool bn, double[] accuracy) => new(bn ? "with BN" : "without BN", bn, 3, [0, 50, 100, 500],
        accuracy, [.. accuracy], [.. accuracy], [.. accuracy], [.. accuracy], [.. accuracy], 1, false);

    private static Figure1Result Result(ulong seed, double[] plain, double[] bn) => new(new Figure1Options { Seed = seed }, "p", null,
        Curve(false, plain), Curve(true, bn), new Figure1Provenance("c", "d", 1, "m", 2, "r", 60000, 10000));

    [Fact]
    public void Gap_first_step_not_ahead_and_records_ahead_read_the_two_curves()
    {
        var run = Result(1, [0.1, 0.2, 0.9, 0.95], [0.1, 0.8, 0.9, 0.96]);
        Assert.All(Figure1Seeds.Gap(run).Zip([0, 0.6, 0, 0.01]), p => Assert.Equal(p.Second, p.First, 12));
        Assert.Equal(100, Figure1Seeds.FirstStepNotAhead(run));     // a tie is not ahead; step 0 does not count
        Assert.Equal((2, 3), Figure1Seeds.RecordsAhead(run));
        Assert.Equal((1, 2), Figure1Seeds.RecordsAhead(run, fromStep: 100));
        Assert.Null(Figure1Seeds.FirstStepNotAhead(Result(1, [0.1, 0.2, 0.3, 0.4], [0.1, 0.3, 0.4, 0.5])));
        Assert.Equal(0.9, Figure1Seeds.At(run.WithBatchNorm, run.WithBatchNorm.TestAccuracy, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => Figure1Seeds.At(run.WithBatchNorm, run.WithBatchNorm.TestAccuracy, 200));
    }

    [Fact]
    public void Spread_is_mean_min_and_max_per_step()
    {
        var a = Curve(true, [0.1, 0.5, 0.7, 0.9]);
        var b = Curve(true, [0.3, 0.7, 0.7, 0.8]);
        var (steps, mean, min, max) = Figure1Seeds.Spread([a, b], c => c.TestAccuracy);
        Assert.Equal([0.0, 50, 100, 500], steps);
        Assert.All(mean.Zip([0.2, 0.6, 0.7, 0.85]), p => Assert.Equal(p.Second, p.First, 12));
        Assert.Equal([0.1, 0.5, 0.7, 0.8], min);
        Assert.Equal([0.3, 0.7, 0.7, 0.9], max);
        Assert.Throws<ArgumentException>(() => Figure1Seeds.Spread([a, a with { Steps = [0, 1, 2, 3] }], c => c.TestAccuracy));
    }

    [Fact]
    public void LoadAll_finds_seed_1_and_every_other_seed_file_in_seed_order()
    {
        string root = Path.Combine(Path.GetTempPath(), "fig1seeds-" + Guid.NewGuid().ToString("N"));
        string data = Path.Combine(root, "notebooks", "data");
        Directory.CreateDirectory(data);
        try
        {
            Result(1, [0.1, 0.2, 0.3, 0.4], [0.1, 0.3, 0.4, 0.5]).Save(Path.Combine(data, "figure1-full.json"));
            Result(3, [0.1, 0.2, 0.3, 0.4], [0.1, 0.3, 0.4, 0.5]).Save(Path.Combine(data, "figure1-seed3.json"));
            Result(2, [0.1, 0.2, 0.3, 0.4], [0.1, 0.3, 0.4, 0.5]).Save(Path.Combine(data, "figure1-seed2.json"));
            Assert.Equal([1UL, 2, 3], NotebookData.LoadFigure1Seeds(root).Select(r => r.Options.Seed));
            Result(2, [0.1, 0.2, 0.3, 0.4], [0.1, 0.3, 0.4, 0.5]).Save(Path.Combine(data, "figure1-seed9.json"));
            Assert.Throws<InvalidDataException>(() => NotebookData.LoadFigure1Seeds(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_command_of_each_seed_writes_its_own_file()
    {
        Assert.Equal("dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release", Figure1Seeds.Command(1));
        Assert.Equal("dotnet run --project lib/BatchNormNotebooks.Figure1 -c Release -- --seed 4 --out notebooks/data/figure1-seed4.json", Figure1Seeds.Command(4));
    }
}
