using System.Numerics;
using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Optimizers;

/// <summary>Optimizers on problems whose trajectory is known in closed form; expected values never come from the
/// code under test.</summary>
public class ClosedFormTests
{
    /// <summary>Runs <paramref name="steps"/> steps on f(θ) = ½ λ Σθ², whose gradient is λθ; returns θ_0 … θ_steps.</summary>
    private static double[][] OnQuadratic(Func<Parameter<double>[], Optimizer<double>> make, double lambda, double[] theta0, int steps)
    {
        var p = new Parameter<double>("theta", [.. theta0]);
        var optimizer = make([p]);
        var path = new double[steps + 1][];
        path[0] = [.. theta0];
        for (int t = 1; t <= steps; t++)
        {
            optimizer.ZeroGrad();
            for (int i = 0; i < p.Value.Length; i++)
            {
                p.Grad[i] = lambda * p.Value[i];
            }

            optimizer.Step();
            path[t] = [.. p.Value];
        }

        return path;
    }

    private static void Close(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Max(Math.Abs(expected), 1e-300), $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [InlineData(0.1, 1.0)]
    [InlineData(0.5, 3.0)]
    [InlineData(0.01, 50.0)]
    public void Plain_sgd_on_a_quadratic_gives_theta_t_equal_one_minus_eta_lambda_to_the_t_times_theta_0(double eta, double lambda)
    {
        double[] theta0 = [1.5, -0.25, 4];
        var path = OnQuadratic(ps => new Sgd<double>(ps, eta), lambda, theta0, 25);
        for (int t = 0; t <= 25; t++)
        {
            for (int i = 0; i < theta0.Length; i++)
            {
                Close(Math.Pow(1 - (eta * lambda), t) * theta0[i], path[t][i], 1e-12, $"t={t}, i={i}");
            }
        }
    }

    [Theory]
    [InlineData(0.1, 1.0, 0.5)] // complex roots: damped oscillation
    [InlineData(0.1, 1.0, 0.1)] // real roots
    [InlineData(0.02, 2.0, 0.9)]
    public void Heavy_ball_on_a_quadratic_follows_its_two_root_closed_form(double eta, double lambda, double mu)
    {
        // θ_t = (1 + μ − ηλ)θ_{t−1} − μθ_{t−2} for t ≥ 2 and θ_1 = (1 − ηλ)θ_0 (PyTorch: b_1 = g_1), so
        // θ_t = A r₁^t + B r₂^t with r the roots of x² − (1 + μ − ηλ)x + μ.
        double s = 1 + mu - (eta * lambda), theta0 = 2.0, theta1 = (1 - (eta * lambda)) * theta0;
        var disc = Complex.Sqrt((s * s) - (4 * mu));
        Complex r1 = (s + disc) / 2, r2 = (s - disc) / 2;
        Complex a = (theta1 - (r2 * theta0)) / (r1 - r2), b = theta0 - a;
        var path = OnQuadratic(ps => new Sgd<double>(ps, eta, momentum: mu), lambda, [theta0], 40);
        for (int t = 0; t <= 40; t++)
        {
            double expected = ((a * Complex.Pow(r1, t)) + (b * Complex.Pow(r2, t))).Real;
            Assert.True(Math.Abs(path[t][0] - expected) <= 1e-12, $"t={t}: expected {expected:R}, got {path[t][0]:R}");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Heavy_ball_converges_just_inside_eta_lambda_below_2_plus_2_mu_and_diverges_just_outside(double mu)
    {
        double bound = 2 + (2 * mu);
        var inside = OnQuadratic(ps => new Sgd<double>(ps, 0.99 * bound, momentum: mu), 1.0, [1.0], 400);
        var outside = OnQuadratic(ps => new Sgd<double>(ps, 1.01 * bound, momentum: mu), 1.0, [1.0], 400);
        Assert.True(Math.Abs(inside[400][0]) < 1e-3, $"μ={mu}: |θ_400| = {Math.Abs(inside[400][0])} inside the bound");
        Assert.True(Math.Abs(outside[400][0]) > 1e3, $"μ={mu}: |θ_400| = {Math.Abs(outside[400][0])} outside the bound");
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1.0)]
    [InlineData(-250.0)]
    [InlineData(1e5)]
    public void Adam_first_step_moves_every_coordinate_by_lr_whatever_the_gradient_scale(double g)
    {
        // m̂_1 = g and v̂_1 = g², so Δθ = −γ g / (|g| + ε) ≈ −γ sign(g).
        const double lr = 0.01;
        var p = new Parameter<double>("w", [0.5, -3]);
        p.Grad[0] = g;
        p.Grad[1] = -g;
        new Adam<double>([p], lr).Step();
        Close(0.5 - (lr * g / (Math.Abs(g) + 1e-8)), p.Value[0], 1e-14, "θ[0]");
        Close(-3 + (lr * g / (Math.Abs(g) + 1e-8)), p.Value[1], 1e-14, "θ[1]");
        Assert.Equal(lr, Math.Abs(p.Value[0] - 0.5), 1e-6); // ≈ γ to within γε/|g|
    }

    [Fact]
    public void Adam_with_a_constant_gradient_moves_lr_every_step_because_of_bias_correction()
    {
        const double lr = 0.05, g = 0.3;
        var p = new Parameter<double>("w", [1.0]);
        var adam = new Adam<double>([p], lr, beta1: 0.8, beta2: 0.95);
        for (int t = 1; t <= 10; t++)
        {
            p.Grad[0] = g;
            adam.Step();
            Close(1.0 - (t * lr * g / (g + 1e-8)), p.Value[0], 1e-12, $"t={t}");
        }
    }

    [Fact]
    public void Adam_without_bias_correction_first_step_is_lr_times_one_minus_beta1_over_root_one_minus_beta2()
    {
        const double lr = 0.01, g = 2.0;
        var p = new Parameter<double>("w", [0.0]);
        p.Grad[0] = g;
        new Adam<double>([p], lr, biasCorrection: false).Step();
        Close(-lr * 0.1 * g / ((Math.Sqrt(0.001) * g) + 1e-8), p.Value[0], 1e-12, "θ_1");
        Assert.Equal(-0.0316, p.Value[0], 4); // about 3.16 γ, not γ
    }

    [Fact]
    public void Adagrad_with_a_constant_gradient_steps_lr_over_root_t()
    {
        const double lr = 0.1, eta = 0.2, g = -0.7;
        var p = new Parameter<double>("w", [1.0]);
        var adagrad = new Adagrad<double>([p], lr, learningRateDecay: eta);
        double expected = 1.0;
        for (int t = 1; t <= 12; t++)
        {
            p.Grad[0] = g;
            adagrad.Step();
            expected -= lr / (1 + ((t - 1) * eta)) * g / ((Math.Sqrt(t) * Math.Abs(g)) + 1e-10);
            Close(expected, p.Value[0], 1e-12, $"t={t}");
        }
    }

    [Fact]
    public void RmsProp_with_a_constant_gradient_steps_lr_over_root_one_minus_alpha_to_the_t()
    {
        // v_t = (1 − α^t) g², no bias correction: the first step is γ/√(1 − α) = 10γ.
        const double lr = 0.01, g = 0.5;
        var p = new Parameter<double>("w", [0.0]);
        var rms = new RmsProp<double>([p], lr);
        double expected = 0;
        for (int t = 1; t <= 10; t++)
        {
            p.Grad[0] = g;
            rms.Step();
            expected -= lr * g / ((Math.Sqrt(1 - Math.Pow(0.99, t)) * g) + 1e-8);
            Close(expected, p.Value[0], 1e-12, $"t={t}");
        }

        Assert.True(p.Value[0] < -10 * lr, "the early steps are larger than γ");
    }

    [Fact]
    public void AdamW_shrinks_theta_by_one_minus_lr_lambda_while_Adam_with_L2_moves_it_by_lr()
    {
        // Zero data gradient: AdamW's Adam part is 0 / (0 + ε) = 0, so θ_1 = (1 − γλ)θ_0 exactly;
        // Adam's coupled L2 feeds g = λθ_0 into the moments, which normalize it to a step of γ.
        const double lr = 0.01, lambda = 0.1, theta0 = 3.0;
        var w = new Parameter<double>("w", [theta0]);
        var l2 = new Parameter<double>("l2", [theta0]);
        new AdamW<double>([w], lr, weightDecay: lambda).Step();
        new Adam<double>([l2], lr, weightDecay: lambda).Step();
        Assert.Equal((1 - (lr * lambda)) * theta0, w.Value[0], 15);
        Close(theta0 - (lr * lambda * theta0 / ((lambda * theta0) + 1e-8)), l2.Value[0], 1e-14, "Adam + L2");
        Assert.NotEqual(w.Value[0], l2.Value[0], 3);
    }
}
