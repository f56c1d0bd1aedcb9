namespace BatchNormNotebooks.Tests.Experiments;

/// <summary>The experiments of notebooks/02-internal-covariate-shift: network shapes, measures against hand-computed
/// values, reproducibility, and bad input.</summary>
public class CovariateShiftExperimentsTests
{
    private static readonly Dataset<double> Moons = TwoMoons.Generate(200, seed: 5, noise: 0.15);

    [Fact]
    public void Trend_is_the_least_squares_change_over_the_run()
    {
        double[] x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(20, CovariateShiftExperiments.Trend(x, [.. x.Select(v => (2 * v) + 1)]), 12);
        Assert.Equal(0, CovariateShiftExperiments.Trend([0, 1, 2], [1, 0, 1]), 12);   // slope 0 by symmetry
        Assert.Throws<ArgumentException>(() => CovariateShiftExperiments.Trend([0, 1], [1]));
    }

    [Fact]
    public void Path_length_adds_the_absolute_changes()
    {
        Assert.Equal(6, CovariateShiftExperiments.PathLength([0, 1, -1, 2]), 12);
        Assert.Equal(0, CovariateShiftExperiments.PathLength([3]), 12);
    }

    [Fact]
    public void Saturated_fraction_counts_sigmoid_outputs_outside_5_to_95_percent()
    {
        var net = new Sequential<double>(new Linear<double>(2, 2, new SeededRandom(1)), new Sigmoid<double>());
        var linearOut = new Matrix<double>(2, 2, [0.01, 0.01, 0.01, 0.01]);
        var sigmoidOut = new Matrix<double>(2, 2, [0.01, 0.5, 0.97, 0.3]);
        Assert.Equal(0.5, CovariateShiftExperiments.SaturatedFraction(net, [linearOut, sigmoidOut]), 12);
        var noSigmoid = new Sequential<double>(new Linear<double>(2, 2, new SeededRandom(1)));
        Assert.Throws<ArgumentException>(() => CovariateShiftExperiments.SaturatedFraction(noSigmoid, [linearOut]));
    }

    [Fact]
    public void The_noisy_shift_range_reaches_every_noisy_layer_and_bad_values_are_refused()
    {
        Assert.All(CovariateShiftExperiments.MoonNet(NetKind.NoisyBatchNorm, 1).Layers.OfType<NoisyBatchNorm<double>>(), l => Assert.Equal(1.0, l.MaxShift));
        var wide = CovariateShiftExperiments.MoonNet(NetKind.NoisyBatchNorm, 1, noisyShift: 4).Layers.OfType<NoisyBatchNorm<double>>().ToArray();
        Assert.Equal(3, wide.Length);
        Assert.All(wide, l => Assert.Equal(4.0, l.MaxShift));
        Assert.Throws<ArgumentOutOfRangeException>(() => CovariateShiftExperiments.MoonNet(NetKind.NoisyBatchNorm, 1, noisyShift: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CovariateShiftExperiments.Run(Moons, NetKind.NoisyBatchNorm, 1, 0.5, noisyShift: double.NaN));
    }

    [Fact]
    public void Networks_have_the_layers_their_kind_names()
    {
        var plain = CovariateShiftExperiments.MoonNet(NetKind.NoBatchNorm, 1);
        var bn = CovariateShiftExperiments.MoonNet(NetKind.BatchNorm, 1);
        var noisy = CovariateShiftExperiments.MoonNet(NetKind.NoisyBatchNorm, 1);
        var glorot = CovariateShiftExperiments.MoonNet(NetKind.NoBatchNormGlorot, 1);
        Assert.Equal(7, plain.Layers.Count);
        Assert.Equal(10, bn.Layers.Count);
        Assert.IsType<BatchNorm1d<double>>(bn.Layers[^3]);
        Assert.IsType<NoisyBatchNorm<double>>(noisy.Layers[^3]);
        Assert.All(bn.Layers.OfType<Linear<double>>().SkipLast(1), l => Assert.Null(l.Bias));
        var first = (Linear<double>)glorot.Layers[0];
        double a = 4 * Math.Sqrt(6.0 / (2 + 32));
        Assert.All(first.Weight.Value, w => Assert.InRange(w, -a, a));
        Assert.True(first.Weight.Value.Max(Math.Abs) > 1 / Math.Sqrt(2), "Glorot's sigmoid bound exceeds the default 1/√in");
        Assert.All(first.Bias!.Value, b => Assert.Equal(0.0, b));
        Assert.Equal(4, CovariateShiftExperiments.PaperNet(NetKind.BatchNorm, 1).Layers.Count(l => l is Linear<float>));
    }

    [Fact]
    public void Run_is_reproducible_and_noisy_BN_moves_the_layer_input_more_than_BN()
    {
        var a = CovariateShiftExperiments.Run(Moons, NetKind.NoisyBatchNorm, 2, 0.5, steps: 40);
        var b = CovariateShiftExperiments.Run(Moons, NetKind.NoisyBatchNorm, 2, 0.5, steps: 40);
        var bn = CovariateShiftExperiments.Run(Moons, NetKind.BatchNorm, 2, 0.5, steps: 40);
        Assert.Equal(40, a.Loss.Length);
        Assert.Equal(a.Loss, b.Loss);
        Assert.Equal(a.Shift, b.Shift);
        Assert.True(a.Shift > 10 * bn.Shift, $"noisy {a.Shift} vs BN {bn.Shift}");
        Assert.Equal(a.Loss.TakeLast(20).Average(), a.FinalLoss(), 12);
    }

    [Fact]
    public void Run_rejects_bad_input()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CovariateShiftExperiments.Run(Moons, NetKind.BatchNorm, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CovariateShiftExperiments.Run(Moons, NetKind.BatchNorm, 1, 0.5, steps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CovariateShiftExperiments.Run(Moons, NetKind.BatchNorm, 1, 0.5, batchSize: 201));
        Assert.Throws<ArgumentOutOfRangeException>(() => CovariateShiftExperiments.Label((NetKind)99));
    }

    [Fact]
    public void Landscape_matches_losses_computed_by_hand_and_restores_the_parameters()
    {
        var net = CovariateShiftExperiments.MoonNet(NetKind.NoBatchNormGlorot, 3);
        var batch = Moons.Take(32);
        double[] before = [.. net.Parameters.SelectMany(p => p.Value)];
        double[] etas = [0.1, 1];
        var m = CovariateShiftExperiments.Landscape(net, batch, etas);
        Assert.Equal(before, net.Parameters.SelectMany(p => p.Value).ToArray());

        // Independently: the gradient at θ, then the loss at θ − ηg by setting the parameters by hand.
        var ce = new SoftmaxCrossEntropy<double>();
        double l0 = ce.Forward(net.Forward(batch.X), batch.Y);
        net.Backward(ce.Backward());
        double[] g = [.. net.Parameters.SelectMany(p => p.Grad)];
        var losses = new List<double> { l0 };
        foreach (double eta in etas)
        {
            int k = 0;
            foreach (var p in net.Parameters)
            {
                for (int i = 0; i < p.Value.Length; i++, k++)
                {
                    p.Value[i] = before[k] - (eta * g[k]);
                }
            }

            losses.Add(ce.Forward(net.Forward(batch.X), batch.Y));
        }

        Assert.Equal(losses.Max() - losses.Min(), m.Range, 12);
        Assert.Equal(Math.Sqrt(g.Sum(v => v * v)), m.GradientNorm, 12);
        Assert.True(m.Beta >= m.GradientChange / (etas.Max() * m.GradientNorm) - 1e-12);
        Assert.Throws<ArgumentException>(() => CovariateShiftExperiments.Landscape(net, batch, []));
    }
}
