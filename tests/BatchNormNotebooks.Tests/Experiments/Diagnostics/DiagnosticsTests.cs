namespace BatchNormNotebooks.Tests.Experiments;

/// <summary>The training diagnostics of notebooks/08-what-batchnorm-does, on cases small enough to compute by hand.</summary>
public class DiagnosticsTests
{
    [Fact]
    public void SaturatedFraction_counts_values_strictly_beyond_the_threshold()
    {
        // |0.5| no, |−0.98| yes, |0.99| yes, |−0.2| no, |0.97| no (not strictly beyond): 2 of 5.
        Assert.Equal(0.4, Diagnostics.SaturatedFraction([0.5, -0.98, 0.99, -0.2, 0.97], 0.97), 15);
    }

    [Fact]
    public void SaturatedFraction_rejects_empty_input_and_bad_threshold()
    {
        Assert.Throws<ArgumentException>(() => Diagnostics.SaturatedFraction([], 0.97));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diagnostics.SaturatedFraction([0.5], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diagnostics.SaturatedFraction([0.5], double.NaN));
    }

    [Fact]
    public void UpdateToDataRatio_is_log10_of_eta_times_the_std_ratio()
    {
        // grad {1.02, 0.98}: std 0.02 (the mean does not matter); value {3.05, 2.95}: std 0.05.
        // log10(0.1 · 0.02 / 0.05) = log10(0.04) = −1.3979400086720377.
        double r = Diagnostics.UpdateToDataRatio([1.02, 0.98], [3.05, 2.95], learningRate: 0.1);
        Assert.Equal(-1.3979400086720377, r, 12);
    }

    [Fact]
    public void UpdateToDataRatio_rejects_mismatched_lengths_constant_values_and_bad_eta()
    {
        Assert.Throws<ArgumentException>(() => Diagnostics.UpdateToDataRatio([1.0, 2.0], [1.0, 2.0, 3.0], 0.1));
        Assert.Throws<ArgumentException>(() => Diagnostics.UpdateToDataRatio([1.0, 2.0], [4.0, 4.0], 0.1));
        Assert.Throws<ArgumentException>(() => Diagnostics.UpdateToDataRatio([1.0], [4.0], 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diagnostics.UpdateToDataRatio([1.0, 2.0], [1.0, 2.0], 0));
    }

    [Fact]
    public void Std_divides_by_n()
    {
        // {1, 2, 3, 4}: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, / 4 = 1.25.
        Assert.Equal(Math.Sqrt(1.25), Diagnostics.Std([1.0, 2.0, 3.0, 4.0]), 15);
    }

    [Fact]
    public void GaussianSaturation_matches_the_normal_table()
    {
        // P(|z| > 1.959963984540054) = 0.05 for z ~ N(0, 1); |tanh z| > tanh(1.95996…) is the same event.
        Assert.Equal(0.05, Diagnostics.GaussianSaturation(Math.Tanh(1.959963984540054)), 9);
        // P(|z| > 1) = 0.3173105078629141.
        Assert.Equal(0.3173105078629141, Diagnostics.GaussianSaturation(Math.Tanh(1.0)), 9);
        Assert.Equal(1.0, Diagnostics.GaussianSaturation(0), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => Diagnostics.GaussianSaturation(1));
    }

    [Fact]
    public void TanhMlp_has_the_layers_asked_for_zero_biases_and_weights_of_std_gain_over_root_fan_in()
    {
        var setup = new DiagnosticSetup(Hidden: 50, Depth: 3);
        var plain = Diagnostics.TanhMlp(400, 10, setup, gain: 2, batchNorm: false, seed: 7);
        var bn = Diagnostics.TanhMlp(400, 10, setup, gain: 2, batchNorm: true, seed: 7);
        Assert.Equal(7, plain.Layers.Count);   // 3 × (Linear, Tanh) + output Linear
        Assert.Equal(10, bn.Layers.Count);     // 3 × (Linear, BatchNorm1d, Tanh) + output Linear
        Assert.IsType<BatchNorm1d<double>>(bn.Layers[1]);
        Assert.Null(((Linear<double>)bn.Layers[0]).Bias);
        var first = (Linear<double>)plain.Layers[0];
        Assert.All(first.Bias!.Value, b => Assert.Equal(0.0, b));
        // 20,000 normal draws: the sample std is within 2 % of 2/√400 = 0.1 (its standard error is 0.5 %).
        Assert.InRange(Diagnostics.Std(first.Weight.Value), 0.098, 0.102);
        Assert.Equal(10, ((Linear<double>)plain.Layers[^1]).OutFeatures);
        // Same seed, same weights with and without batch norm (layer by layer).
        Assert.Equal(first.Weight.Value, ((Linear<double>)bn.Layers[0]).Weight.Value);
        Assert.Equal(((Linear<double>)plain.Layers[^1]).Weight.Value, ((Linear<double>)bn.Layers[^1]).Weight.Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => Diagnostics.TanhMlp(400, 10, setup, gain: 0, batchNorm: false, seed: 7));
    }

    /// <summary>x = (1, 2), label 1; W1 = [[1, 0.5], [1, 0]] so z = (3, 0.5); W2 = [[1, −1], [0.5, −0.25]], biases 0.
    /// Expected values computed by hand (Python's math module as the calculator).</summary>
    private static (Sequential<double> Model, Dataset<double> Data, DiagnosticSetup Setup) TinyCase()
    {
        var setup = new DiagnosticSetup(Hidden: 2, Depth: 1, Steps: 1, BatchSize: 1, LearningRate: 0.1);
        var model = Diagnostics.TanhMlp(2, 2, setup, gain: 1, batchNorm: false, seed: 1);
        double[] w1 = [1, 0.5, 1, 0], w2 = [1, -1, 0.5, -0.25];
        w1.CopyTo(((Linear<double>)model.Layers[0]).Weight.Value, 0);
        w2.CopyTo(((Linear<double>)model.Layers[2]).Weight.Value, 0);
        var data = new Dataset<double>("one point", Matrix<double>.FromRows([[1.0, 2.0]]), Matrix<double>.FromRows([[1.0]]), ["x1", "x2"]);
        return (model, data, setup);
    }

    [Fact]
    public void Train_records_loss_saturation_ratio_and_snapshot_of_a_hand_computed_step()
    {
        var (model, data, setup) = TinyCase();
        var run = Diagnostics.Train(model, data, data, setup, seed: 3, snapshotSteps: [0]);

        Assert.Equal(2.428954078170199, run.Loss[0], 12);
        Assert.Equal(0.5, run.Saturation[0][0], 15);                 // tanh 3 = 0.995 > 0.97, tanh 0.5 = 0.462 is not
        Assert.Equal(-0.980273355519696, run.UpdateRatio[0][0], 12);  // log10(0.1·std(dW1)/std(W1))
        // W1 = (1, 0.5, 1, 0) before the step: mean 0.625, std √(0.171875) (divide by n), ‖W1‖ = √2.25 = 1.5;
        // dW1 from the comment below: std over its four entries, and the ratio is log10(0.1·GradStd/WeightStd).
        Assert.Equal(Math.Sqrt(0.171875), run.WeightStd[0][0], 12);
        Assert.Equal(1.5, run.WeightNorm[0][0], 12);
        double[] dW1 = [0.01799310713359903, 0.5378541838890626, 0.03598621426719806, 1.0757083677781252];
        double dMean = dW1.Average();
        Assert.Equal(Math.Sqrt(dW1.Sum(v => (v - dMean) * (v - dMean)) / 4), run.GradStd[0][0], 10);
        Assert.Equal(run.UpdateRatio[0][0], Math.Log10(0.1 * run.GradStd[0][0] / run.WeightStd[0][0]), 12);
        var shot = run.Snapshots[0][0];
        Assert.Equal(1, shot.Layer);
        Assert.Equal([0.9950547536867305, 0.46211715726000974], shot.Activations, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([1.8237420792035093, 0.683903279701316], shot.Gradients, (a, b) => Math.Abs(a - b) < 1e-12);   // ∂L/∂a
        // The SGD step: W1 ← W1 − 0.1·dW1 with dW1 = (0.017993…, 0.537854…, 0.035986…, 1.075708…).
        double[] expected = [1 - 0.001799310713359903, 0.5 - 0.05378541838890626, 1 - 0.003598621426719806, -0.10757083677781252];
        Assert.Equal(expected, ((Linear<double>)model.Layers[0]).Weight.Value, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.False(run.Diverged);
    }

    [Fact]
    public void Train_reports_the_test_loss_of_the_trained_network_recomputed_by_hand()
    {
        var (model, data, setup) = TinyCase();
        var run = Diagnostics.Train(model, data, data, setup, seed: 3);
        // From the weights after the step: z = x·W1 + b1 (W stored in × out), a = tanh z, logits = a·W2 + b2,
        // loss = log(e^{l0} + e^{l1}) − l1 for the label 1.
        var (w1, w2) = ((Linear<double>)model.Layers[0], (Linear<double>)model.Layers[2]);
        double[] x = [1, 2];
        double[] a = [.. Enumerable.Range(0, 2).Select(o => Math.Tanh((x[0] * w1.Weight.Value[o]) + (x[1] * w1.Weight.Value[2 + o]) + w1.Bias!.Value[o]))];
        double[] l = [.. Enumerable.Range(0, 2).Select(o => (a[0] * w2.Weight.Value[o]) + (a[1] * w2.Weight.Value[2 + o]) + w2.Bias!.Value[o])];
        Assert.Equal(Math.Log(Math.Exp(l[0]) + Math.Exp(l[1])) - l[1], run.TestLoss, 12);
        Assert.Equal(l[1] > l[0] ? 1.0 : 0.0, run.TestAccuracy);
    }

    [Fact]
    public void Train_keeps_snapshots_only_at_the_requested_steps()
    {
        var (model, data, setup) = TinyCase();
        var run = Diagnostics.Train(model, data, null, setup with { Steps = 4 }, seed: 3, snapshotSteps: [1, 3]);
        Assert.Equal(4, run.Loss.Count);
        Assert.Equal(4, run.Saturation[0].Count);
        Assert.Equal([1, 3], run.Snapshots.Keys.Order());
        Assert.True(double.IsNaN(run.TestAccuracy));
        Assert.True(double.IsNaN(run.TestLoss));
        Assert.True(run.Loss[3] < run.Loss[0]);   // gradient descent on one point lowers its loss
    }

    [Fact]
    public void Mean_averages_a_window_and_rejects_an_empty_one()
    {
        Assert.Equal(2.0, DiagnosticRun.Mean([1.0, 2.0, 3.0, 10.0], 0, 3), 15);   // (1 + 2 + 3) / 3: the window [0, 3) leaves 10 out
        Assert.Equal(6.5, DiagnosticRun.Mean([1.0, 2.0, 3.0, 10.0], 2, 4), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => DiagnosticRun.Mean([1.0, 2.0], 1, 1));
    }

    [Fact]
    public void InitScaleSweep_with_a_tiny_gain_and_no_batch_norm_cannot_learn_so_the_loss_stays_at_ln2()
    {
        // Three layers with gain 10⁻³ shrink the signal by about 10⁻⁹: the logits stay ≈ 0, p ≈ 1/2, loss ≈ ln 2,
        // and the gradients reaching the weights are as small, so nothing but the output bias moves (it follows each
        // batch's class balance, which keeps the loss within a few thousandths of ln 2).
        var moons = TwoMoons.Generate(200, seed: 1);
        var setup = new DiagnosticSetup(Hidden: 8, Depth: 3, Steps: 30, BatchSize: 20);
        var points = Diagnostics.InitScaleSweep(moons, moons, setup, [1e-3], [false, true], [1, 2]);
        Assert.Equal(4, points.Count);
        Assert.All(points.Where(p => !p.BatchNorm), p => Assert.InRange(p.FinalLoss, Math.Log(2) - 0.005, Math.Log(2) + 0.005));
        Assert.All(points.Where(p => p.BatchNorm), p => Assert.True(p.FinalLoss < Math.Log(2) - 0.01, $"with BN the loss should fall, got {p.FinalLoss}"));
    }

    /// <summary>Regression: without batch norm at g = 100 the pre-activations reach the hundreds; the same seed must
    /// give the same bits whatever was allocated before (notebook 08 printed three held-out losses for it, 20.6, 36.4
    /// and 44.8, depending on the cells above).</summary>
    [Fact]
    public void A_diverging_run_gives_the_same_bits_whatever_was_allocated_before_it()
    {
        var moons = TwoMoons.Generate(1000, seed: 5, noise: 0.15);
        var moonsTest = TwoMoons.Generate(500, seed: 6, noise: 0.15);
        var setup = new DiagnosticSetup(Hidden: 32, Depth: 5, Steps: 200, BatchSize: 32);
        var junk = new List<double[]>();
        SweepPoint first = Diagnostics.InitScaleSweep(moons, moonsTest, setup, [100], [false], [1])[0];
        for (int r = 1; r <= 4; r++)
        {
            for (int j = 0; j < 300 * r; j++)
            {
                junk.Add(new double[(j % 37) + 1]);   // moves the arrays the next run allocates
            }

            SweepPoint again = Diagnostics.InitScaleSweep(moons, moonsTest, setup, [100], [false], [1])[0];
            Assert.Equal((first.TestLoss, first.TestAccuracy, first.FinalLoss), (again.TestLoss, again.TestAccuracy, again.FinalLoss));
        }

        GC.KeepAlive(junk);
        Assert.True(first.TestLoss > 1, $"g = 100 without BN should end far from a trained network, got a held-out loss of {first.TestLoss}");
    }

    [Fact]
    public void InitScaleSweep_on_both_cores_gives_the_points_of_the_runs_one_by_one_in_order()
    {
        // Each point recomputed here with TanhMlp + Train directly, sequentially: the parallel sweep must give the same
        // bits, in the order batch norm, gain, seed, and carry the middle hidden layer's ‖W‖ at the first and last step.
        var moons = TwoMoons.Generate(200, seed: 1);
        var test = TwoMoons.Generate(100, seed: 2);
        var setup = new DiagnosticSetup(Hidden: 8, Depth: 3, Steps: 20, BatchSize: 20);
        double[] gains = [0.1, 10];
        ulong[] seeds = [1, 2, 3];
        var points = Diagnostics.InitScaleSweep(moons, test, setup, gains, [false, true], seeds);
        Assert.Equal(12, points.Count);
        int k = 0;
        foreach (bool bn in new[] { false, true })
        {
            foreach (double g in gains)
            {
                foreach (ulong s in seeds)
                {
                    var model = Diagnostics.TanhMlp(2, 2, setup, g, bn, s);
                    var middle = (Linear<double>)model.Layers.Where(l => l is Linear<double>).ElementAt(1);   // hidden layer 2 of 3
                    double start = Math.Sqrt(middle.Weight.Value.Sum(v => v * v));
                    var run = Diagnostics.Train(model, moons, test, setup, s);
                    var p = points[k++];
                    Assert.Equal((g, bn, s), (p.Gain, p.BatchNorm, p.Seed));
                    Assert.Equal((run.FinalLoss(), run.TestAccuracy, run.TestLoss), (p.FinalLoss, p.TestAccuracy, p.TestLoss));
                    Assert.Equal(start, p.WeightNormStart, 1e-12 * start);   // summed in another order than the library's
                    Assert.Equal(run.WeightNorm[1][^1], p.WeightNormEnd);
                }
            }
        }
    }

    [Fact]
    public void With_batch_norm_SGD_only_lengthens_the_weights_that_feed_it()
    {
        // The gradient of a scale-invariant W is orthogonal to W (up to ε), so ‖W − η∇‖² = ‖W‖² + η²‖∇‖²: the norm
        // cannot fall from step to step. Without batch norm nothing forbids it.
        var moons = TwoMoons.Generate(200, seed: 1);
        var setup = new DiagnosticSetup(Hidden: 8, Depth: 3, Steps: 50, BatchSize: 20);
        var run = Diagnostics.Train(Diagnostics.TanhMlp(2, 2, setup, 0.1, batchNorm: true, 1), moons, null, setup, 1);
        foreach (var norms in run.WeightNorm)
        {
            for (int t = 1; t < norms.Count; t++)
            {
                Assert.True(norms[t] >= norms[t - 1] * (1 - 1e-9), $"‖W‖ fell from {norms[t - 1]} to {norms[t]} at step {t}");
            }
        }

        Assert.True(run.WeightNorm[1][^1] > 2 * run.WeightNorm[1][0], "a small init (g = 0.1) should grow");
    }

    [Fact]
    public void InitScaleSweep_rejects_a_gain_that_is_not_positive()
    {
        var moons = TwoMoons.Generate(40, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Diagnostics.InitScaleSweep(moons, moons, new DiagnosticSetup(4, 1, 2, 8), [1, 0], [true], [1]));
    }

    [Fact]
    public void BestRates_picks_the_lowest_mean_validation_loss_per_variant_and_gain_and_the_smaller_rate_on_a_tie()
    {
        TunedSweepPoint P(bool bn, double g, ulong s, double eta, double validation) => new(g, bn, s, eta, validation, 9, 0.5);
        var best = Diagnostics.BestRates([
            P(true, 1, 1, 0.1, 0.2), P(true, 1, 2, 0.1, 0.6),    // mean 0.4
            P(true, 1, 1, 0.3, 0.1), P(true, 1, 2, 0.3, 0.5),    // mean 0.3: best, though seed 2 alone would prefer neither
            P(false, 1, 1, 0.1, 0.3), P(false, 1, 1, 0.3, 0.3),  // a tie: the smaller η
            P(false, 3, 1, 0.1, double.PositiveInfinity), P(false, 3, 1, 1, 0.69),
        ]);
        Assert.Equal(0.3, best[(true, 1)]);
        Assert.Equal(0.1, best[(false, 1)]);
        Assert.Equal(1, best[(false, 3)]);
        Assert.Equal(3, best.Count);
    }

    [Fact]
    public void TunedInitScaleSweep_scores_the_validation_set_like_the_test_set_and_each_rate_like_a_plain_sweep_at_that_rate()
    {
        var moons = TwoMoons.Generate(200, seed: 1);
        var test = TwoMoons.Generate(100, seed: 2);
        var setup = new DiagnosticSetup(Hidden: 8, Depth: 3, Steps: 20, BatchSize: 20);
        var points = Diagnostics.TunedInitScaleSweep(moons, test, test, setup, [0.3, 3], [false, true], [1, 2], [0.05, 0.5]);
        Assert.Equal(16, points.Count);
        Assert.All(points, p => Assert.Equal(p.TestLoss, p.ValidationLoss, 1e-12));   // validation = test here
        foreach (double eta in new[] { 0.05, 0.5 })
        {
            var plain = Diagnostics.InitScaleSweep(moons, test, setup with { LearningRate = eta }, [0.3, 3], [false, true], [1, 2]);
            var tuned = points.Where(p => p.LearningRate == eta).ToList();
            Assert.Equal(plain.Select(p => (p.Gain, p.BatchNorm, p.Seed, p.TestLoss, p.TestAccuracy)), tuned.Select(p => (p.Gain, p.BatchNorm, p.Seed, p.TestLoss, p.TestAccuracy)));
        }
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 1)]
    public void The_precomputed_tuned_sweep_is_what_the_sweep_computes(bool batchNorm, double gain)
    {
        var moons = TwoMoons.Generate(1000, seed: 5, noise: 0.15);
        var validation = TwoMoons.Generate(500, seed: 7, noise: 0.15);
        var test = TwoMoons.Generate(500, seed: 6, noise: 0.15);
        var again = Diagnostics.TunedInitScaleSweep(moons, validation, test, TunedSweepTable.Setup, [gain], [batchNorm], TunedSweepTable.Seeds, TunedSweepTable.LearningRates);
        var stored = TunedSweepTable.Points.Where(p => p.BatchNorm == batchNorm && p.Gain == gain).ToList();
        Assert.Equal(20, stored.Count);
        foreach (var (a, b) in again.Zip(stored))
        {
            Assert.Equal((a.Seed, a.LearningRate, a.TestAccuracy), (b.Seed, b.LearningRate, b.TestAccuracy));
            Assert.Equal(b.ValidationLoss, a.ValidationLoss, 1e-9);
            Assert.Equal(b.TestLoss, a.TestLoss, 1e-9);
        }

        Assert.Equal(360, TunedSweepTable.Points.Count);
    }
}
