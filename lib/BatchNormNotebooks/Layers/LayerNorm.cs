using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>
/// Layer normalization (Ba, Kiros &amp; Hinton 2016), PyTorch's <c>nn.LayerNorm(features)</c> with
/// <c>elementwise_affine=True</c>: each EXAMPLE (row) is normalized over its own features, so the result does not
/// depend on the batch — the same function in training and eval mode, no running statistics, fine at batch size 1.
/// Taught in notebooks/05-moving-averages-inference (batch norm vs layer norm at small batches).
/// </summary>
/// <remarks>
/// Shapes: x and y (batch, features); γ and β (features). Effectively computes, for every row i,
/// μ_i = (1/n)·Σ_j x[i,j], σ²_i = (1/n)·Σ_j (x[i,j] − μ_i)² (biased, divides by n as PyTorch), x̂ = (x − μ_i)/√(σ²_i + ε),
/// y[i,j] = γ[j]·x̂[i,j] + β[j]. Statistics are accumulated in double. Backward (closed form, per row):
/// dx̂ = dy ⊙ γ; dx[i,·] = (1/n)·(1/√(σ²_i+ε))·(n·dx̂ − Σ_j dx̂ − x̂·Σ_j dx̂⊙x̂); dγ = Σ_i dy⊙x̂; dβ = Σ_i dy.
/// Forward keeps x̂ and 1/√(σ²+ε) in layer-owned buffers (a copy), so changing x after Forward does not change dx.
/// A non-finite input throws instead of spreading NaN.
/// </remarks>
public sealed class LayerNorm<T> : ILayer<T> where T : IFloatingPointIeee754<T>
{
    private T[] _xHat = [];
    private double[] _invStd = [];
    private int _rows = -1;

    /// <summary>Creates the layer for <paramref name="features"/> features, γ = 1, β = 0 (PyTorch's initialisation).</summary>
    /// <param name="features">n, the length of each row.</param>
    /// <param name="epsilon">ε added to the variance; PyTorch's default 1e-5; must be finite and &gt; 0.</param>
    /// <param name="name">Prefix of the parameters' names.</param>
    public LayerNorm(int features, double epsilon = 1e-5, string name = "ln")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (!double.IsFinite(epsilon) || epsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Layer-norm ε must be a finite number > 0 (PyTorch uses 1e-5).");
        }

        Features = features;
        Epsilon = epsilon;
        Gamma = new Parameter<T>($"{name}.gamma", Enumerable.Repeat(T.One, features).ToArray());
        Beta = new Parameter<T>($"{name}.beta", new T[features]);
        Parameters = [Gamma, Beta];
    }

    /// <summary>n, the number of features each row is normalized over.</summary>
    public int Features { get; }

    /// <summary>ε inside the square root.</summary>
    public double Epsilon { get; }

    /// <summary>The per-feature scale γ (learnable).</summary>
    public Parameter<T> Gamma { get; }

    /// <summary>The per-feature shift β (learnable).</summary>
    public Parameter<T> Beta { get; }

    /// <inheritdoc/>
    public string Name => $"LayerNorm({Features})";

    /// <inheritdoc/>
    /// <remarks>Layer norm computes the same function in both modes.</remarks>
    public bool Training { get; set; } = true;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">x has the wrong number of features or holds NaN/∞.</exception>
    public Matrix<T> Forward(Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        _rows = -1;   // a failed forward leaves nothing for backward
        if (x.Cols != Features)
        {
            throw new ArgumentException($"{Name} expects {Features} features per row but x has shape {x.Shape}.", nameof(x));
        }

        if (_xHat.Length != x.Data.Length)
        {
            _xHat = new T[x.Data.Length];
        }

        if (_invStd.Length != x.Rows)
        {
            _invStd = new double[x.Rows];
        }

        var y = new Matrix<T>(x.Rows, x.Cols);
        int n = Features;
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.Data.AsSpan(i * n, n);
            double sum = 0;
            foreach (T v in row)
            {
                double d = double.CreateChecked(v);
                if (!double.IsFinite(d))
                {
                    throw new ArgumentException($"{Name}: x[{i}, {row.IndexOf(v)}] is {v}; layer norm needs finite inputs.", nameof(x));
                }

                sum += d;
            }

            double mean = sum / n, m2 = 0;
            foreach (T v in row)
            {
                double d = double.CreateChecked(v) - mean;
                m2 += d * d;
            }

            double invStd = 1 / Math.Sqrt((m2 / n) + Epsilon);
            _invStd[i] = invStd;
            for (int j = 0; j < n; j++)
            {
                T xHat = T.CreateChecked((double.CreateChecked(row[j]) - mean) * invStd);
                _xHat[(i * n) + j] = xHat;
                y.Data[(i * n) + j] = (Gamma.Value[j] * xHat) + Beta.Value[j];
            }
        }

        _rows = x.Rows;
        return y;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No successful Forward before.</exception>
    /// <exception cref="ArgumentException">dy does not have the shape of the last output.</exception>
    public Matrix<T> Backward(Matrix<T> dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        if (_rows < 0)
        {
            throw new InvalidOperationException($"{Name}.Backward needs a successful Forward first.");
        }

        if (dy.Rows != _rows || dy.Cols != Features)
        {
            throw new ArgumentException($"{Name}.Backward: dy must have the output's shape ({_rows}, {Features}), not {dy.Shape}.", nameof(dy));
        }

        int n = Features;
        var dx = new Matrix<T>(dy.Rows, n);
        Array.Clear(Gamma.Grad);
        Array.Clear(Beta.Grad);
        T count = T.CreateChecked(n);
        for (int i = 0; i < dy.Rows; i++)
        {
            T sumDxHat = T.Zero, sumDxHatXHat = T.Zero;
            for (int j = 0; j < n; j++)
            {
                int k = (i * n) + j;
                T dxHat = dy.Data[k] * Gamma.Value[j];
                sumDxHat += dxHat;
                sumDxHatXHat += dxHat * _xHat[k];
                Gamma.Grad[j] += dy.Data[k] * _xHat[k];
                Beta.Grad[j] += dy.Data[k];
            }

            T scale = T.CreateChecked(_invStd[i]) / count;
            for (int j = 0; j < n; j++)
            {
                int k = (i * n) + j;
                dx.Data[k] = scale * ((count * dy.Data[k] * Gamma.Value[j]) - sumDxHat - (_xHat[k] * sumDxHatXHat));
            }
        }

        return dx;
    }
}
