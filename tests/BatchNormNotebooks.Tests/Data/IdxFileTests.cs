namespace BatchNormNotebooks.Tests.Data;

/// <summary>The IDX reader on small files the tests write byte by byte, and the full MNIST loader.</summary>
public sealed class IdxFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("idx-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Header bytes written by hand: 0, 0, type, rank, then each size big-endian.</summary>
    private static byte[] Header(byte type, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims)
        {
            bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        }

        return [.. bytes];
    }

    private string WriteFile(string name, params byte[][] parts)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, [.. parts.SelectMany(p => p)]);
        return path;
    }

    // 3 images of 2 × 2 pixels and their labels
    private static readonly byte[] Pixels = [0, 255, 51, 102, 1, 2, 3, 4, 250, 0, 0, 255];

    [Fact]
    public void A_good_file_gives_its_dimensions_and_values()
    {
        string path = WriteFile("images", Header(0x08, 3, 2, 2), Pixels);
        var idx = IdxFile.Read(path);
        Assert.Equal([3, 2, 2], idx.Dimensions);
        Assert.Equal(3, idx.Count);
        Assert.Equal(4, idx.ItemSize);
        Assert.Equal(Pixels, idx.Data);
    }

    [Fact]
    public void Write_produces_the_bytes_of_the_format()
    {
        string path = Path.Combine(_folder, "written");
        IdxFile.Write(path, [3, 2, 2], Pixels);
        Assert.Equal([.. Header(0x08, 3, 2, 2), .. Pixels], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_wrong_magic_number_is_named()
    {
        string path = WriteFile("not-idx", [0x89, 0x50, 0x4E, 0x47], new byte[12]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("magic number 0x89504E47", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_type_is_named()
    {
        string path = WriteFile("floats", Header(0x0D, 2), new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains("type code 0x0D", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_data_section_says_how_much_is_missing()
    {
        string path = WriteFile("short", Header(0x08, 3, 2, 2), Pixels[..10]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 × 2 × 2 = 12 values (28 bytes in all) but the file has 26 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_header_is_named()
    {
        string path = WriteFile("short-header", Header(0x08, 3, 2, 2)[..9]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains("truncated: 9 bytes, but its header of 3 dimensions needs 16", e.Message, StringComparison.Ordinal);
        var empty = WriteFile("empty", []);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => IdxFile.Read(empty)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_and_zero_dimensions_are_rejected()
    {
        string longer = WriteFile("long", Header(0x08, 3, 2, 2), Pixels, [7, 7]);
        Assert.Contains("2 bytes after the 12 values", Assert.Throws<InvalidDataException>(() => IdxFile.Read(longer)).Message, StringComparison.Ordinal);
        string zero = WriteFile("zero", Header(0x08, 0, 2));
        Assert.Contains("dimension 0 of size 0", Assert.Throws<InvalidDataException>(() => IdxFile.Read(zero)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named() =>
        Assert.Contains("nowhere", Assert.Throws<FileNotFoundException>(() => IdxFile.Read(Path.Combine(_folder, "nowhere"))).Message, StringComparison.Ordinal);

    [Fact]
    public void LoadPair_scales_pixels_to_0_1_and_keeps_labels()
    {
        string images = WriteFile("images", Header(0x08, 3, 2, 2), Pixels);
        string labels = WriteFile("labels", Header(0x08, 3), [7, 0, 9]);
        var data = MnistFull.LoadPair(images, labels, "tiny");
        Assert.Equal((3, 4), (data.X.Rows, data.X.Cols));
        Assert.Equal([0f, 1f, 0.2f, 0.4f], data.X.Row(0).ToArray());
        Assert.Equal(1f / 255f, data.X[1, 0]);
        Assert.Equal([7f, 0f, 9f], data.Y.Data);
        Assert.Equal("pixel (1, 0)", data.FeatureNames[2]);
    }

    [Fact]
    public void Images_and_labels_of_different_counts_name_both_files()
    {
        string images = WriteFile("images", Header(0x08, 3, 2, 2), Pixels);
        string labels = WriteFile("labels", Header(0x08, 2), [7, 0]);
        var e = Assert.Throws<InvalidDataException>(() => MnistFull.LoadPair(images, labels, "tiny"));
        Assert.Contains($"{images} holds 3 images but labels file {labels} holds 2 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Swapped_files_and_bad_labels_are_named()
    {
        string images = WriteFile("images", Header(0x08, 3, 2, 2), Pixels);
        string labels = WriteFile("labels", Header(0x08, 3), [7, 10, 9]);
        Assert.Contains("expected 3 (count × rows × cols)", Assert.Throws<InvalidDataException>(() => MnistFull.LoadPair(labels, images, "swapped")).Message, StringComparison.Ordinal);
        Assert.Contains("label 1 is 10", Assert.Throws<InvalidDataException>(() => MnistFull.LoadPair(images, labels, "bad")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Full_MNIST_has_the_published_sizes_and_first_labels()
    {
        var (train, test) = NotebookData.LoadMnistFull();
        Assert.Equal((60_000, 784), (train.X.Rows, train.X.Cols));
        Assert.Equal((10_000, 784), (test.X.Rows, test.X.Cols));
        // LeCun's files: the first training digit is a 5, the first test digit a 7
        Assert.Equal(5f, train.Y[0, 0]);
        Assert.Equal(7f, test.Y[0, 0]);
        Assert.Equal(0f, train.X.Data.Min());
        Assert.Equal(1f, train.X.Data.Max());
        // every class appears in the test set, each between 892 (digit 5) and 1,135 (digit 1) times
        var counts = test.Y.Data.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, counts.Count);
        Assert.Equal(892, counts[5f]);
        Assert.Equal(1135, counts[1f]);
    }
}
