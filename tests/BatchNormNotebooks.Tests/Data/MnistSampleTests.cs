namespace BatchNormNotebooks.Tests.Notebooks;

public class MnistSampleTests
{
    [Fact]
    public void The_sample_holds_the_first_digits_of_each_class_like_the_full_loader()
    {
        var (train, test) = NotebookData.LoadMnistSample(perClass: 20, testCount: 50, seed: 3);
        Assert.Equal(150, train.Count);
        Assert.Equal(50, test.Count);
        Assert.Equal(784, train.X.Cols);
        var labels = train.Y.Data.Concat(test.Y.Data).ToArray();
        for (int digit = 0; digit <= 9; digit++)
        {
            Assert.Equal(20, labels.Count(l => l == digit));
        }

        Assert.All(train.X.Data, v => Assert.InRange(v, 0.0, 1.0));

        // the first "0" of the JSON file is the first row of MnistDigits' (unshuffled) data
        var (fullTrain, fullTest) = NotebookData.LoadMnistDigits(testCount: 1, seed: 1);
        var full = fullTrain.X.Data.Concat(fullTest.X.Data).ToArray();
        var zeroRowsOfSample = Enumerable.Range(0, train.Count).Where(i => train.Y[i, 0] == 0).Select(i => train.X.Row(i).ToArray());
        bool found = zeroRowsOfSample.Any(row => Enumerable.Range(0, full.Length / 784).Any(r => full.AsSpan(r * 784, 784).SequenceEqual(row)));
        Assert.True(found);
    }

    [Fact]
    public void Bad_sizes_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NotebookData.LoadMnistSample(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NotebookData.LoadMnistSample(5, 50));
    }
}
