namespace BatchNormNotebooks.Tests.Layers;

/// <summary>The MLP builder makes the layers a notebook would write by hand, with the same weights.</summary>
public class MultilayerPerceptronTests
{
    private static double[] Weights(Sequential<double> net) => [.. net.Parameters.SelectMany(p => p.Value)];

    [Fact]
    public void One_shared_stream_with_batch_norm_matches_the_hand_written_network()
    {
        var r = new SeededRandom(3);
        var byHand = new Sequential<double>(new Linear<double>(2, 4, r, bias: false), new BatchNorm1d<double>(4), new ReLU<double>(),
            new Linear<double>(4, 4, r, bias: false), new BatchNorm1d<double>(4), new ReLU<double>(), new Linear<double>(4, 2, r));
        var shared = new SeededRandom(3);
        var built = MultilayerPerceptron.Build(2, [4, 4], 2, () => new ReLU<double>(), _ => shared, batchNorm: true);
        Assert.Equal(byHand.ToString(), built.ToString());
        Assert.Equal(Weights(byHand), Weights(built));
    }

    [Fact]
    public void One_stream_per_layer_with_names_and_an_output_sigmoid_matches_the_hand_written_network()
    {
        var byHand = new Sequential<double>(new Linear<double>(2, 8, new SeededRandom(7), name: "hidden"), new Sigmoid<double>(),
            new Linear<double>(8, 1, new SeededRandom(8), name: "out"), new Sigmoid<double>());
        var built = MultilayerPerceptron.Build(2, [8], 1, () => new Sigmoid<double>(), k => new SeededRandom(7 + (ulong)k),
            outputActivation: new Sigmoid<double>(), names: ["hidden", "out"]);
        Assert.Equal(byHand.ToString(), built.ToString());
        Assert.Equal(Weights(byHand), Weights(built));
        Assert.Equal(4, built.Layers.Count);
    }

    [Fact]
    public void Bad_widths_and_a_wrong_number_of_names_are_refused_by_name()
    {
        var r = new SeededRandom(1);
        Assert.Equal("hidden", Assert.Throws<ArgumentOutOfRangeException>(
            () => MultilayerPerceptron.Build(2, [4, 0], 1, () => new ReLU<double>(), _ => r)).ParamName);
        Assert.Equal("names", Assert.Throws<ArgumentException>(
            () => MultilayerPerceptron.Build(2, [4], 1, () => new ReLU<double>(), _ => r, names: ["only one"])).ParamName);
    }
}
