namespace BatchNormNotebooks.Tests.Foundation;

public class InputShiftDataTests
{
    [Fact]
    public void The_rule_is_the_stated_sigmoid()
    {
        // σ(4) = 0.98201, σ(0) = 0.5, σ(−12) = 6.1442e-6 (by hand)
        Assert.Equal(0.982014, InputShiftData.DogProbability(0), 6);
        Assert.Equal(0.5, InputShiftData.DogProbability(1), 12);
        Assert.Equal(0.5, InputShiftData.DogProbability(-1), 12);
        Assert.Equal(6.1442e-6, InputShiftData.DogProbability(2), 9);
    }

    [Fact]
    public void Moving_the_mean_moves_x_and_keeps_the_label_rule()
    {
        var left = InputShiftData.Generate(20000, 1, mean: -1);
        var right = InputShiftData.Generate(20000, 2, mean: 1);
        Assert.Equal(-1, left.X.Column(0).Average(), 1);
        Assert.Equal(1, right.X.Column(0).Average(), 1);
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(left.X[i, 0] * left.X[i, 0], left.X[i, 1], 12));

        // the same P(y | x) on both sides: labels among |x| < 0.5 are dogs ~97 % of the time, among |x| > 1.5 ~1 %
        static double DogRate(Dataset<double> d, Func<double, bool> where)
        {
            var rows = Enumerable.Range(0, d.Count).Where(i => where(Math.Abs(d.X[i, 0]))).ToArray();
            return rows.Average(i => d.Y[i, 0]);
        }

        Assert.InRange(DogRate(left, a => a < 0.5), 0.95, 0.99);
        Assert.InRange(DogRate(right, a => a < 0.5), 0.95, 0.99);
        Assert.InRange(DogRate(left, a => a > 1.5), 0.0, 0.04);
        Assert.InRange(DogRate(right, a => a > 1.5), 0.0, 0.04);
        Assert.Equal(left.X.Data, InputShiftData.Generate(20000, 1, mean: -1).X.Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => InputShiftData.Generate(10, 1, 0, std: 0));
    }

    [Fact]
    public void Nearest_neighbour_memorises_the_training_set_and_reads_the_closest_label()
    {
        var train = new Dataset<double>("t", new Matrix<double>(3, 1, [0.0, 1, 5]), new Matrix<double>(3, 1, [0.0, 1, 0]), ["x"]);
        Assert.Equal(1.0, NearestNeighbour.Accuracy(train, train, 0));
        // 0.4 → 0 (label 0), 0.9 → 1 (label 1), 3.5 → 5 (label 0), 2.9 → 1 (label 1): labels chosen so 3 of 4 agree
        var test = new Dataset<double>("u", new Matrix<double>(4, 1, [0.4, 0.9, 3.5, 2.9]), new Matrix<double>(4, 1, [0.0, 1, 0, 0]), ["x"]);
        Assert.Equal(0.75, NearestNeighbour.Accuracy(train, test, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighbour.Accuracy(train, test, 1));
    }
}
