using System.Numerics;
using System.Text.Json;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>One batch-norm case of tests/fixtures/batchnorm.json (written by tests/fixtures/generate_batchnorm_fixtures.py).</summary>
/// <remarks>All matrices are row-major (batch, features). <see cref="TrainY"/>, <see cref="RunningMean"/> and
/// <see cref="RunningVar"/> are per training step; the backward is of the last training batch; eval comes last.</remarks>
public sealed record BatchNormCase(
    string Name, string Preset, string DType, int Batch, int Features, double Epsilon,
    double[] Gamma, double[] Beta, double[][] TrainX, double[][] TrainY, double[][] RunningMean, double[][] RunningVar,
    double[] Dy, double[] Dx, double[] DGamma, double[] DBeta, double[] EvalX, double[] EvalY)
{
    /// <summary>The C# convention for the fixture's preset name.</summary>
    public BatchNormConvention Convention => Preset switch
    {
        "PyTorch" => BatchNormConvention.PyTorch,
        "CumulativeAverage" => BatchNormConvention.CumulativeAverage,
        "NoRunningStats" => BatchNormConvention.NoRunningStats,
        "Keras" => BatchNormConvention.Keras,
        _ => throw new InvalidOperationException($"Unknown preset '{Preset}' in fixture case {Name}."),
    };

    /// <summary>Replays the case through <see cref="BatchNorm1d{T}"/> in element type <typeparamref name="T"/>.</summary>
    public BatchNormResult Run<T>(BatchNormBackward backward = BatchNormBackward.ClosedForm) where T : IFloatingPointIeee754<T>
    {
        var bn = new BatchNorm1d<T>(Features, Convention) { BackwardMethod = backward };
        Copy(Gamma, bn.Gamma.Value);
        Copy(Beta, bn.Beta.Value);
        var ys = new List<double[]>();
        var means = new List<double[]>();
        var vars = new List<double[]>();
        foreach (double[] x in TrainX)
        {
            ys.Add(ToDouble(bn.Forward(Matrix(x)).Data));
            if (bn.Convention.TrackRunningStats)
            {
                means.Add(ToDouble(bn.Running.Mean));
                vars.Add(ToDouble(bn.Running.Variance));
            }
        }

        double[] dx = ToDouble(bn.Backward(Matrix(Dy)).Data);
        double[] dGamma = ToDouble(bn.Gamma.Grad);
        double[] dBeta = ToDouble(bn.Beta.Grad);
        bn.Training = false;
        double[] evalY = ToDouble(bn.Forward(Matrix(EvalX)).Data);
        return new BatchNormResult([.. ys], [.. means], [.. vars], dx, dGamma, dBeta, evalY);

        Matrix<T> Matrix(double[] values) => new(Batch, Features, [.. values.Select(T.CreateChecked)]);
    }

    private static void Copy<T>(double[] source, T[] destination) where T : INumberBase<T>
    {
        for (int k = 0; k < source.Length; k++)
        {
            destination[k] = T.CreateChecked(source[k]);
        }
    }

    private static double[] ToDouble<T>(T[] values) where T : INumberBase<T> => [.. values.Select(double.CreateChecked)];
}

/// <summary>What the C# layer produced for a <see cref="BatchNormCase"/>, as double, in the fixture's layout.</summary>
public sealed record BatchNormResult(double[][] TrainY, double[][] RunningMean, double[][] RunningVar,
    double[] Dx, double[] DGamma, double[] DBeta, double[] EvalY);

/// <summary>One network case: x → Linear → activation → Linear [→ Sigmoid] → loss, float64, weights (in, out).</summary>
public sealed record NetworkCase(
    string Name, string Activation, string Loss, int Batch, int In, int Hidden, int Out,
    double[] X, double[] W1, double[] B1, double[] W2, double[] B2, double[] Target, double[] Output, double LossValue,
    double[] Dx, double[] DW1, double[] DB1, double[] DW2, double[] DB2);

/// <summary>Loads tests/fixtures/batchnorm.json once.</summary>
public static class BatchNormFixtures
{
    private static readonly Lazy<(IReadOnlyDictionary<string, BatchNormCase> Bn, IReadOnlyDictionary<string, NetworkCase> Net)> s_all = new(Load);

    public static IReadOnlyDictionary<string, BatchNormCase> Cases => s_all.Value.Bn;

    public static IReadOnlyDictionary<string, NetworkCase> Networks => s_all.Value.Net;

    private static (IReadOnlyDictionary<string, BatchNormCase>, IReadOnlyDictionary<string, NetworkCase>) Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "batchnorm.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var bn = new SortedDictionary<string, BatchNormCase>(StringComparer.Ordinal);
        foreach (var c in doc.RootElement.GetProperty("batchnorm").EnumerateObject())
        {
            var v = c.Value;
            bn[c.Name] = new BatchNormCase(c.Name, v.GetProperty("preset").GetString()!, v.GetProperty("dtype").GetString()!,
                v.GetProperty("batch").GetInt32(), v.GetProperty("features").GetInt32(), v.GetProperty("eps").GetDouble(),
                Vector(v, "gamma"), Vector(v, "beta"), Vectors(v, "train_x"), Vectors(v, "train_y"),
                Vectors(v, "running_mean"), Vectors(v, "running_var"), Vector(v, "dy"), Vector(v, "dx"),
                Vector(v, "dgamma"), Vector(v, "dbeta"), Vector(v, "eval_x"), Vector(v, "eval_y"));
        }

        var net = new SortedDictionary<string, NetworkCase>(StringComparer.Ordinal);
        foreach (var c in doc.RootElement.GetProperty("network").EnumerateObject())
        {
            var v = c.Value;
            net[c.Name] = new NetworkCase(c.Name, v.GetProperty("activation").GetString()!, v.GetProperty("loss").GetString()!,
                v.GetProperty("batch").GetInt32(), v.GetProperty("in").GetInt32(), v.GetProperty("hidden").GetInt32(), v.GetProperty("out").GetInt32(),
                Vector(v, "x"), Vector(v, "w1"), Vector(v, "b1"), Vector(v, "w2"), Vector(v, "b2"), Vector(v, "target"),
                Vector(v, "output"), v.GetProperty("loss_value").GetDouble(),
                Vector(v, "dx"), Vector(v, "dw1"), Vector(v, "db1"), Vector(v, "dw2"), Vector(v, "db2"));
        }

        return (bn, net);
    }

    private static double[] Vector(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble())];

    private static double[][] Vectors(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetDouble()).ToArray())];
}
