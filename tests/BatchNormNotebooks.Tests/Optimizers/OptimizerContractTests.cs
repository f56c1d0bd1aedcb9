using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Optimizers;

/// <summary>What every optimizer promises: validated hyperparameters, state visible for printing, and no writes
/// outside its own parameters' values.</summary>
public class OptimizerContractTests
{
    private static Parameter<double>[] Ps() => [new("w", [1.0, -2.0]), new("b", [0.5])];

    public static TheoryData<string, Func<object>> BadHyperparameters => new()
    {
        { "learningRate", () => new Sgd<double>(Ps(), 0) },
        { "learningRate", () => new Sgd<double>(Ps(), -0.1) },
        { "learningRate", () => new Sgd<double>(Ps(), double.NaN) },
        { "momentum", () => new Sgd<double>(Ps(), 0.1, momentum: 1) },
        { "momentum", () => new Sgd<double>(Ps(), 0.1, momentum: -0.1) },
        { "dampening", () => new Sgd<double>(Ps(), 0.1, momentum: 0.9, dampening: 1.5) },
        { "weightDecay", () => new Sgd<double>(Ps(), 0.1, weightDecay: -1e-4) },
        { "learningRate", () => new Adagrad<double>(Ps(), 0) },
        { "learningRateDecay", () => new Adagrad<double>(Ps(), learningRateDecay: -0.1) },
        { "weightDecay", () => new Adagrad<double>(Ps(), weightDecay: -0.1) },
        { "initialAccumulatorValue", () => new Adagrad<double>(Ps(), initialAccumulatorValue: -1) },
        { "epsilon", () => new Adagrad<double>(Ps(), epsilon: -1e-10) },
        { "learningRate", () => new RmsProp<double>(Ps(), -1) },
        { "alpha", () => new RmsProp<double>(Ps(), alpha: 1) },
        { "alpha", () => new RmsProp<double>(Ps(), alpha: -0.5) },
        { "epsilon", () => new RmsProp<double>(Ps(), epsilon: -1e-8) },
        { "weightDecay", () => new RmsProp<double>(Ps(), weightDecay: -1) },
        { "momentum", () => new RmsProp<double>(Ps(), momentum: 1.2) },
        { "learningRate", () => new Adam<double>(Ps(), 0) },
        { "beta1", () => new Adam<double>(Ps(), beta1: 1) },
        { "beta1", () => new Adam<double>(Ps(), beta1: -0.1) },
        { "beta2", () => new Adam<double>(Ps(), beta2: 1) },
        { "beta2", () => new Adam<double>(Ps(), beta2: double.NaN) },
        { "epsilon", () => new Adam<double>(Ps(), epsilon: -1e-8) },
        { "weightDecay", () => new Adam<double>(Ps(), weightDecay: -0.01) },
        { "learningRate", () => new AdamW<double>(Ps(), -1e-3) },
        { "beta1", () => new AdamW<double>(Ps(), beta1: 1.5) },
        { "beta2", () => new AdamW<double>(Ps(), beta2: 1) },
        { "weightDecay", () => new AdamW<double>(Ps(), weightDecay: -0.01) },
    };

    [Theory]
    [MemberData(nameof(BadHyperparameters))]
    public void Bad_hyperparameter_throws_ArgumentOutOfRangeException_naming_it(string parameterName, Func<object> create)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(parameterName, ex.ParamName);
    }

    public static TheoryData<string, Func<object>> BadParameterLists => new()
    {
        { "parameters", () => new Adam<double>([]) },
        { "parameters", () => new Adam<double>(null!) },
        { "parameters", () => new Sgd<double>([null!], 0.1) },
        { "parameters", () => { var p = new Parameter<double>("w", [1.0]); return new Sgd<double>([p, p], 0.1); } },
        { "nesterov", () => new Sgd<double>(Ps(), 0.1, nesterov: true) },
        { "nesterov", () => new Sgd<double>(Ps(), 0.1, momentum: 0.9, dampening: 0.1, nesterov: true) },
    };

    [Theory]
    [MemberData(nameof(BadParameterLists))]
    public void Bad_parameter_list_or_option_combination_throws_ArgumentException(string parameterName, Func<object> create)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(parameterName, ex.ParamName);
    }

    public static TheoryData<string, Func<IReadOnlyList<Parameter<double>>, Optimizer<double>>, double> EdgeValues => new()
    {
        // Expected first step on the gradient (2, −4 | 1), computed by hand from the update rules (torch.optim docs):
        // SGD: −lr·g. With β1 = β2 = 0 (Adam), α = 0 (RMSprop) or a zero accumulator (Adagrad) and ε = 0, the first
        // step is −lr·g/|g| = −lr·sign(g) (Adam's bias corrections 1 − 0¹ are 1).
        { "SGD lr 1e-12, dampening 1", ps => new Sgd<double>(ps, 1e-12, momentum: 0, dampening: 1, weightDecay: 0), 1e-12 },
        { "Adam β1 = β2 = ε = 0", ps => new Adam<double>(ps, beta1: 0, beta2: 0, epsilon: 0), 1e-3 },
        { "RMSprop α = ε = 0", ps => new RmsProp<double>(ps, alpha: 0, epsilon: 0), 1e-2 },
        { "Adagrad ε = 0, accumulator 0", ps => new Adagrad<double>(ps, epsilon: 0, initialAccumulatorValue: 0), 1e-2 },
    };

    [Theory]
    [MemberData(nameof(EdgeValues))]
    public void Edge_values_that_PyTorch_accepts_are_accepted_and_step_as_the_update_rule_says(
        string name, Func<IReadOnlyList<Parameter<double>>, Optimizer<double>> make, double signStep)
    {
        var ps = Ps();
        var optimizer = make(ps);
        ps[0].Grad[0] = 2;
        ps[0].Grad[1] = -4;
        ps[1].Grad[0] = 1;
        optimizer.Step();
        bool sgd = name.StartsWith("SGD", StringComparison.Ordinal);
        double[] w = sgd ? [1 - 2 * signStep, -2 + 4 * signStep] : [1 - signStep, -2 + signStep];
        double b = 0.5 - signStep;                          // the bias gradient is 1: −lr·1 and −lr·sign(1) agree
        Assert.Equal(w, ps[0].Value, (x, y) => Math.Abs(x - y) <= 1e-15);
        Assert.Equal(b, ps[1].Value[0], 15);
    }

    public static TheoryData<string, Func<IReadOnlyList<Parameter<double>>, Optimizer<double>>> AllOptimizers => new()
    {
        { "SGD momentum Nesterov L2", ps => new Sgd<double>(ps, 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1) },
        { "Adagrad L2", ps => new Adagrad<double>(ps, 0.1, learningRateDecay: 0.1, weightDecay: 0.1) },
        { "RMSprop centered momentum L2", ps => new RmsProp<double>(ps, momentum: 0.5, centered: true, weightDecay: 0.1) },
        { "Adam AMSGrad L2", ps => new Adam<double>(ps, weightDecay: 0.1, amsgrad: true) },
        { "AdamW", ps => new AdamW<double>(ps, amsgrad: true) },
    };

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void Step_writes_only_its_own_parameters_values(string name, Func<IReadOnlyList<Parameter<double>>, Optimizer<double>> make)
    {
        var w = new Parameter<double>("w", [1.0, -2.0, 3.0]);
        var b = new Parameter<double>("b", [0.5]);
        var other = new Parameter<double>("other", [7.0, 8.0]);
        double[] wGrad = [0.3, -0.1, 0.2], bGrad = [-0.4], otherGrad = [1.0, 1.0];
        wGrad.CopyTo(w.Grad, 0);
        bGrad.CopyTo(b.Grad, 0);
        otherGrad.CopyTo(other.Grad, 0);
        var optimizer = make([w, b]);

        for (int i = 0; i < 3; i++)
        {
            optimizer.Step();
        }

        Assert.Equal(3, optimizer.StepCount);
        Assert.Equal(wGrad, w.Grad);
        Assert.Equal(bGrad, b.Grad);
        Assert.Equal([7.0, 8.0], other.Value);
        Assert.Equal(otherGrad, other.Grad);
        Assert.All(new[] { w.Value[0] - 1.0, w.Value[1] + 2.0, w.Value[2] - 3.0, b.Value[0] - 0.5 }, d => Assert.True(d != 0, name));

        optimizer.ZeroGrad();
        Assert.Equal([0.0, 0.0, 0.0], w.Grad);
        Assert.Equal([0.0], b.Grad);
        Assert.Equal(otherGrad, other.Grad);
        Assert.Throws<ArgumentException>(() => optimizer switch
        {
            Sgd<double> sgd => sgd.MomentumBuffer(other),
            Adagrad<double> ada => ada.SumOfSquares(other),
            RmsProp<double> rms => rms.SquareAverage(other),
            Adam<double> adam => adam.FirstMoment(other),
            _ => throw new InvalidOperationException(name),
        });
    }

    [Fact]
    public void State_is_visible_for_teaching()
    {
        var p = new Parameter<double>("w", [1.0, 2.0]);
        p.Grad[0] = 2;
        p.Grad[1] = -4;
        var adam = new Adam<double>([p], beta1: 0.9, beta2: 0.999);
        Assert.Equal(0, adam.StepCount);
        adam.Step();
        Assert.Equal(1, adam.StepCount);
        Assert.Equal([0.2, -0.4], adam.FirstMoment(p), (a, e) => Math.Abs(a - e) < 1e-15);
        Assert.Equal([0.004, 0.016], adam.SecondMoment(p), (a, e) => Math.Abs(a - e) < 1e-15);
        Assert.Equal([0.0, 0.0], adam.MaxSecondMoment(p));
        Assert.Same(p, adam.Parameters[0]);

        var q = new Parameter<double>("q", [0.0]);
        q.Grad[0] = 3;
        var sgd = new Sgd<double>([q], 0.1, momentum: 0.9, dampening: 0.5);
        sgd.Step();
        Assert.Equal([3.0], sgd.MomentumBuffer(q)); // first step: the buffer is the gradient, no (1 − τ)
        sgd.Step();
        Assert.Equal([(0.9 * 3.0) + (0.5 * 3.0)], sgd.MomentumBuffer(q));

        var r = new Parameter<double>("r", [0.0]);
        r.Grad[0] = 2;
        var adagrad = new Adagrad<double>([r], initialAccumulatorValue: 0.5);
        Assert.Equal([0.5], adagrad.SumOfSquares(r));
        adagrad.Step();
        Assert.Equal([4.5], adagrad.SumOfSquares(r));

        var s = new Parameter<double>("s", [0.0]);
        s.Grad[0] = 10;
        var rms = new RmsProp<double>([s], alpha: 0.9, centered: true, momentum: 0.5);
        rms.Step();
        Assert.Equal(10.0, rms.SquareAverage(s)[0], 12);
        Assert.Equal(1.0, rms.GradientAverage(s)[0], 12);
        Assert.Equal(10 / (Math.Sqrt(9) + 1e-8), rms.MomentumBuffer(s)[0], 12);
        Assert.Contains("Adam", adam.ToString(), StringComparison.Ordinal);
    }
}
