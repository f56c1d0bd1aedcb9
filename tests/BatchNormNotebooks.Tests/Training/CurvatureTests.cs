namespace BatchNormNotebooks.Tests.Training;

/// <summary>Curvature: eigenvalues of matrices whose spectrum is known by hand, and the Hessian of a loss whose Hessian
/// is known in closed form.</summary>
public class CurvatureTests
{
    [Fact]
    public void Eigenvalues_of_a_block_matrix_are_known_by_hand()
    {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3; the separate block is 5.
        double[] values = Curvature.SymmetricEigenvalues(new double[,] { { 2, 1, 0 }, { 1, 2, 0 }, { 0, 0, 5 } });
        Assert.Equal([1.0, 3.0, 5.0], values.Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void Eigenvalues_of_a_dense_matrix_match_its_trace_and_the_closed_form()
    {
        // [[4, 1, 2], [1, 3, 0], [2, 0, 5]]: the sum of the eigenvalues is the trace 12, their product the determinant 43.
        double[] values = Curvature.SymmetricEigenvalues(new double[,] { { 4, 1, 2 }, { 1, 3, 0 }, { 2, 0, 5 } });
        Assert.Equal(12, values.Sum(), 12);
        Assert.Equal(43, values.Aggregate(1.0, (p, v) => p * v), 10);
    }

    [Fact]
    public void Hessian_of_mean_squared_error_on_a_line_is_twice_the_second_moments()
    {
        // L(w, b) = mean((w·x + b − y)²) over x = 1, 2, 3: H = 2·[[mean x², mean x], [mean x, 1]] = [[28/3, 4], [4, 2]],
        // eigenvalues (34 ± √1060)/6.
        var data = new Dataset<double>("line", Matrix<double>.FromRows([[1.0], [2.0], [3.0]]), Matrix<double>.FromRows([[0.5], [-1.0], [2.0]]), ["x"]);
        var model = new Sequential<double>(new Linear<double>(1, 1, new SeededRandom(3)));
        double[] kept = [.. model.Parameters.SelectMany(p => p.Value)];
        double largest = Curvature.LargestHessianEigenvalue(model, new MeanSquaredError<double>(), data);
        Assert.Equal((34 + Math.Sqrt(1060)) / 6, largest, 6);
        Assert.Equal(kept, model.Parameters.SelectMany(p => p.Value));   // parameters restored exactly
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Curvature.SymmetricEigenvalues(new double[,] { { 1, 2 }, { 0, 1 } }));
        Assert.Throws<ArgumentException>(() => Curvature.SymmetricEigenvalues(new double[2, 3]));
        var data = new Dataset<double>("one", Matrix<double>.FromRows([[1.0]]), Matrix<double>.FromRows([[1.0]]), ["x"]);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Curvature.Hessian(new Sequential<double>(new Linear<double>(1, 1, new SeededRandom(1))), new MeanSquaredError<double>(), data, step: 0));
    }
}
