namespace BatchNormNotebooks;

/// <summary>
/// The curvature of a loss over a network's parameters: the Hessian by centred differences of the backward pass,
/// and the eigenvalues of a symmetric matrix (cyclic Jacobi). For the small networks of the notebooks (tens of
/// parameters), where gradient descent with learning rate η is stable along a direction of curvature λ only while
/// ηλ &lt; 2.
/// </summary>
public static class Curvature
{
    /// <summary>
    /// The Hessian of <paramref name="loss"/> on all of <paramref name="data"/> (one full batch) with respect to every
    /// parameter of <paramref name="model"/>, in the order of <see cref="Sequential{T}.Parameters"/>: column k is the
    /// centred difference (∇L(θ + h·e_k) − ∇L(θ − h·e_k)) / 2h of the backward pass, then the matrix is symmetrized.
    /// The parameters are restored exactly; their gradients are left from the last evaluation.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive and finite.</exception>
    public static double[,] Hessian(Sequential<double> model, ILoss<double> loss, Dataset<double> data, double step = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(data);
        if (!(step > 0) || !double.IsFinite(step))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The difference step must be positive and finite.");
        }

        var entries = model.Parameters.SelectMany(p => Enumerable.Range(0, p.Value.Length).Select(i => (Parameter: p, Index: i))).ToArray();
        int n = entries.Length;
        var hessian = new double[n, n];
        for (int k = 0; k < n; k++)
        {
            var (p, i) = entries[k];
            double kept = p.Value[i];
            p.Value[i] = kept + step;
            double[] plus = Gradient(model, loss, data);
            p.Value[i] = kept - step;
            double[] minus = Gradient(model, loss, data);
            p.Value[i] = kept;
            for (int j = 0; j < n; j++)
            {
                hessian[j, k] = (plus[j] - minus[j]) / (2 * step);
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double mean = (hessian[i, j] + hessian[j, i]) / 2;
                hessian[i, j] = mean;
                hessian[j, i] = mean;
            }
        }

        return hessian;
    }

    /// <summary>The largest eigenvalue of the loss's Hessian (the sharpest curvature), see <see cref="Hessian"/>.</summary>
    public static double LargestHessianEigenvalue(Sequential<double> model, ILoss<double> loss, Dataset<double> data, double step = 1e-5) =>
        SymmetricEigenvalues(Hessian(model, loss, data, step)).Max();

    /// <summary>
    /// The eigenvalues of the symmetric matrix <paramref name="matrix"/>, ascending, by cyclic Jacobi rotations (until
    /// the off-diagonal part is below 1e-14 of the matrix's size). The input is not changed.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is empty, not square or not symmetric (to 1e-9 relative).</exception>
    public static double[] SymmetricEigenvalues(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0);
        if (n == 0 || matrix.GetLength(1) != n)
        {
            throw new ArgumentException($"Expected a non-empty square matrix, got {matrix.GetLength(0)} × {matrix.GetLength(1)}.", nameof(matrix));
        }

        var a = (double[,])matrix.Clone();
        double size = 0;
        foreach (double v in a)
        {
            size = Math.Max(size, Math.Abs(v));
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                if (Math.Abs(a[i, j] - a[j, i]) > 1e-9 * Math.Max(size, double.Epsilon))
                {
                    throw new ArgumentException($"The matrix is not symmetric: [{i}, {j}] = {a[i, j]:G6}, [{j}, {i}] = {a[j, i]:G6}.", nameof(matrix));
                }
            }
        }

        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    off = Math.Max(off, Math.Abs(a[i, j]));
                }
            }

            if (off <= 1e-14 * size)
            {
                break;
            }

            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0)
                    {
                        continue;
                    }

                    // The rotation that zeroes a[p, q] (Golub & Van Loan, symmetric Schur decomposition).
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }

                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                }
            }
        }

        return [.. Enumerable.Range(0, n).Select(i => a[i, i]).Order()];
    }

    private static double[] Gradient(Sequential<double> model, ILoss<double> loss, Dataset<double> data)
    {
        loss.Forward(model.Forward(data.X), data.Y);
        model.Backward(loss.Backward());
        return [.. model.Parameters.SelectMany(p => p.Grad)];
    }
}
