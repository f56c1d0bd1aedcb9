using System.Numerics;

namespace BatchNormNotebooks;

/// <summary>Examples X (n, features) with targets Y (n, 1): a class index or a 0/1 label per row.</summary>
/// <param name="Name">What the data is.</param>
/// <param name="X">Inputs, shape (n, features).</param>
/// <param name="Y">Targets, shape (n, 1).</param>
/// <param name="FeatureNames">One name per column of X.</param>
public sealed record Dataset<T>(string Name, Matrix<T> X, Matrix<T> Y, IReadOnlyList<string> FeatureNames)
    where T : IFloatingPointIeee754<T>
{
    /// <summary>Number of examples.</summary>
    public int Count => X.Rows;

    /// <summary>The same data in another element type.</summary>
    public Dataset<TOther> Cast<TOther>() where TOther : IFloatingPointIeee754<TOther> =>
        new(Name, X.Cast<TOther>(), Y.Cast<TOther>(), FeatureNames);

    /// <summary>The rows listed in <paramref name="indices"/>.</summary>
    public Dataset<T> Subset(ReadOnlySpan<int> indices) => this with { X = X.GatherRows(indices), Y = Y.GatherRows(indices) };

    /// <summary>The first <paramref name="count"/> rows.</summary>
    public Dataset<T> Take(int count) => this with { X = X.SliceRows(0, count), Y = Y.SliceRows(0, count) };

    /// <summary>Standardizes every feature to mean 0, std 1 with statistics from <paramref name="reference"/>
    /// (default: this set): X ← (X − mean)/std, as the lecture's input normalization.</summary>
    public Dataset<T> Standardized(Dataset<T>? reference = null)
    {
        var r = (reference ?? this).X;
        var x = X.Clone();
        for (int j = 0; j < X.Cols; j++)
        {
            T[] col = r.Column(j);
            T mean = System.Numerics.Tensors.TensorPrimitives.Sum<T>(col) / T.CreateChecked(col.Length);
            T var = T.Zero;
            foreach (T v in col)
            {
                var += (v - mean) * (v - mean);
            }

            T std = T.Sqrt(var / T.CreateChecked(col.Length));
            if (std == T.Zero)
            {
                std = T.One;
            }

            for (int i = 0; i < x.Rows; i++)
            {
                x[i, j] = (x[i, j] - mean) / std;
            }
        }

        return this with { X = x };
    }

    /// <summary>A one-line summary, e.g. "Two moons: 200 examples × 2 features (x1, x2)".</summary>
    public override string ToString() => $"{Name}: {Count} examples × {X.Cols} features ({string.Join(", ", FeatureNames)})";
}
