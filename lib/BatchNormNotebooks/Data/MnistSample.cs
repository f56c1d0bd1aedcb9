using System.Text.Json;

namespace BatchNormNotebooks;

/// <summary>
/// A fast, smaller slice of the real MNIST digits of <see cref="MnistDigits"/>: the first <c>perClass</c> digits of each
/// class, read with a streaming JSON reader that stops as soon as it has them (the full <see cref="MnistDigits.Load"/>
/// parses all 10,000 digits, which takes several seconds — too slow for one notebook cell).
/// Taught in notebooks/02-internal-covariate-shift (the paper's Figure 1 in a few seconds).
/// </summary>
public static class MnistSample
{
    /// <summary>
    /// Loads <paramref name="perClass"/> digits of each class (10·perClass in all), shuffles them with
    /// <paramref name="seed"/> and splits off <paramref name="testCount"/> as the test set.
    /// X has shape (n, 784) with pixels in [0, 1]; Y holds the digit 0…9.
    /// </summary>
    /// <param name="folder">The folder holding the package's <c>0.json … 9.json</c> (see <see cref="MnistDigits"/>).</param>
    /// <param name="perClass">Digits per class, 1…1000.</param>
    /// <param name="testCount">Size of the test set, less than 10·perClass.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    public static (Dataset<double> Train, Dataset<double> Test) Load(string folder, int perClass, int testCount, ulong seed = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(perClass, 1000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(testCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(testCount, 10 * perClass);
        const int pixels = MnistDigits.Pixels;
        var all = new Matrix<double>(10 * perClass, pixels);
        var labels = new Matrix<double>(10 * perClass, 1);
        for (int digit = 0; digit <= 9; digit++)
        {
            int wanted = perClass * pixels, read = 0;
            Span<double> destination = all.Data.AsSpan(digit * wanted, wanted);
            var reader = new Utf8JsonReader(File.ReadAllBytes(Path.Combine(folder, $"{digit}.json")));
            while (read < wanted && reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Number)
                {
                    destination[read++] = reader.GetDouble();
                }
            }

            if (read < wanted)
            {
                throw new InvalidDataException($"{digit}.json holds only {read / pixels} digits, fewer than the {perClass} asked for.");
            }

            labels.Data.AsSpan(digit * perClass, perClass).Fill(digit);
        }

        int[] order = new SeededRandom(seed).Permutation(all.Rows);
        var data = new Dataset<double>("MNIST sample", all, labels, [.. Enumerable.Range(0, pixels).Select(p => $"pixel {p}")]);
        return (data.Subset(order.AsSpan(testCount)) with { Name = $"MNIST sample train ({all.Rows - testCount})" },
                data.Subset(order.AsSpan(0, testCount)) with { Name = $"MNIST sample test ({testCount})" });
    }
}
