using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Training;

/// <summary>Issue 13 §1: Trainer options are checked before the first step, and an exception that escapes leaves
/// the model in training mode.</summary>
public class TrainerOptionsTests
{
    public static TheoryData<string> BadOptions => ["Percentiles 150", "Percentiles NaN", "Percentiles -1", "EvaluationSize 0", "EvaluationSize -5", "ProbeUnit -1"];

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_fail_before_the_first_step_naming_the_option(string which)
    {
        var (net, train, test) = Setup();
        var options = new TrainingOptions(Steps: 200, BatchSize: 10, EvaluateEvery: 100) switch
        {
            var o when which == "Percentiles 150" => o with { Percentiles = [15, 150] },
            var o when which == "Percentiles NaN" => o with { Percentiles = [double.NaN] },
            var o when which == "Percentiles -1" => o with { Percentiles = [-1] },
            var o when which == "EvaluationSize 0" => o with { EvaluationSize = 0 },
            var o when which == "EvaluationSize -5" => o with { EvaluationSize = -5 },
            var o => o with { ProbeUnit = -1 },
        };
        int steps = 0;
        var ex = Assert.ThrowsAny<ArgumentException>(() =>
            Trainer.Train(net, new BinaryCrossEntropy<double>(), () => steps++, train, test, options));
        Assert.Equal(0, steps);
        Assert.Contains(which.Split(' ')[0], ex.Message);
    }

    [Fact]
    public void An_exception_during_evaluation_leaves_the_model_in_training_mode()
    {
        var (net, train, _) = Setup();
        var wrongTest = TwoMoons.Generate(30, 8);
        wrongTest = wrongTest with { X = new Matrix<double>(30, 3) };   // three features: the network's first Linear expects two
        var sgd = new Sgd<double>(net.Parameters, 0.1);
        Assert.Throws<ArgumentException>(() =>
            Trainer.Train(net, new BinaryCrossEntropy<double>(), sgd.Step, train, wrongTest, new TrainingOptions(Steps: 20, BatchSize: 10, EvaluateEvery: 10)));
        Assert.Equal(10, sgd.StepCount);
        Assert.True(net.Training);
        Assert.All(net.Layers, l => Assert.True(l.Training));
    }

    [Fact]
    public void Valid_options_still_train_and_evaluate()
    {
        var (net, train, test) = Setup();
        var sgd = new Sgd<double>(net.Parameters, 0.5);
        var history = Trainer.Train(net, new BinaryCrossEntropy<double>(), sgd.Step, train, test,
            new TrainingOptions(Steps: 30, BatchSize: 10, EvaluateEvery: 10, EvaluationSize: 25, Percentiles: [0, 100]));
        Assert.Equal([10, 20, 30], history.EvaluationSteps);
        Assert.Equal(30, history.Loss.Count);
        Assert.All(history.Percentiles, layer => Assert.All(layer, p => Assert.True(p[0] <= p[1])));
        Assert.True(net.Training);
    }

    private static (Sequential<double> Net, Dataset<double> Train, Dataset<double> Test) Setup()
    {
        var rng = new SeededRandom(3);
        var net = new Sequential<double>(new Linear<double>(2, 8, rng, bias: false), new BatchNorm1d<double>(8), new Tanh<double>(), new Linear<double>(8, 1, rng), new Sigmoid<double>());
        return (net, TwoMoons.Generate(100, 1), TwoMoons.Generate(40, 2));
    }
}
