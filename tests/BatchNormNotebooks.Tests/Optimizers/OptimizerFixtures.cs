using System.Numerics;
using System.Text.Json;
using BatchNormNotebooks.Optimizers;

namespace BatchNormNotebooks.Tests.Optimizers;

/// <summary>One case of tests/fixtures/optimizers.json (written by tests/fixtures/generate_optimizer_fixtures.py).</summary>
/// <param name="Grads">[step][parameter][element], the gradient fed before each step.</param>
/// <param name="Expected">[step][parameter][element], PyTorch's parameters after each step.</param>
public sealed record OptimizerCase(string Name, string Optimizer, JsonElement Options, double[][] Initial, double[][][] Grads, double[][][] Expected)
{
    /// <summary>The PyTorch option <paramref name="key"/>, or <paramref name="fallback"/> when the case leaves it out.</summary>
    public double Number(string key, double fallback) => Options.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;

    public bool Flag(string key) => Options.TryGetProperty(key, out var v) && v.GetBoolean();

    public double Beta(int i, double fallback) => Options.TryGetProperty("betas", out var v) ? v[i].GetDouble() : fallback;

    /// <summary>Builds the C# optimizer with this case's options (PyTorch's defaults where the case has none).</summary>
    public Optimizer<T> Create<T>(IReadOnlyList<Parameter<T>> ps) where T : IFloatingPointIeee754<T> => Optimizer switch
    {
        "SGD" => new Sgd<T>(ps, Number("lr", double.NaN), Number("momentum", 0), Number("dampening", 0), Flag("nesterov"), Number("weight_decay", 0)),
        "Adagrad" => new Adagrad<T>(ps, Number("lr", 1e-2), Number("lr_decay", 0), Number("weight_decay", 0), Number("initial_accumulator_value", 0), Number("eps", 1e-10)),
        "RMSprop" => new RmsProp<T>(ps, Number("lr", 1e-2), Number("alpha", 0.99), Number("eps", 1e-8), Number("weight_decay", 0), Number("momentum", 0), Flag("centered")),
        "Adam" => new Adam<T>(ps, Number("lr", 1e-3), Beta(0, 0.9), Beta(1, 0.999), Number("eps", 1e-8), Number("weight_decay", 0), Flag("amsgrad")),
        "AdamW" => new AdamW<T>(ps, Number("lr", 1e-3), Beta(0, 0.9), Beta(1, 0.999), Number("eps", 1e-8), Number("weight_decay", 1e-2), Flag("amsgrad")),
        _ => throw new InvalidOperationException($"Unknown optimizer '{Optimizer}' in fixture case {Name}."),
    };

    /// <summary>Runs the case in element type <typeparamref name="T"/>; returns [step][parameter][element] as double.</summary>
    public double[][][] Run<T>() where T : IFloatingPointIeee754<T>
    {
        var ps = Initial.Select((v, i) => new Parameter<T>($"p{i}", [.. v.Select(T.CreateChecked)])).ToArray();
        var optimizer = Create<T>(ps);
        var after = new double[Grads.Length][][];
        for (int step = 0; step < Grads.Length; step++)
        {
            for (int i = 0; i < ps.Length; i++)
            {
                for (int k = 0; k < ps[i].Grad.Length; k++)
                {
                    ps[i].Grad[k] = T.CreateChecked(Grads[step][i][k]);
                }
            }

            optimizer.Step();
            after[step] = [.. ps.Select(p => p.Value.Select(double.CreateChecked).ToArray())];
        }

        return after;
    }
}

public static class OptimizerFixtures
{
    private static readonly Lazy<IReadOnlyDictionary<string, OptimizerCase>> s_cases = new(Load);

    public static IReadOnlyDictionary<string, OptimizerCase> Cases => s_cases.Value;

    private static IReadOnlyDictionary<string, OptimizerCase> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "optimizers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var cases = new SortedDictionary<string, OptimizerCase>(StringComparer.Ordinal);
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateObject())
        {
            var v = c.Value;
            cases[c.Name] = new OptimizerCase(
                c.Name,
                v.GetProperty("optimizer").GetString()!,
                v.GetProperty("options").Clone(),
                v.GetProperty("initial").Deserialize<double[][]>()!,
                v.GetProperty("grads").Deserialize<double[][][]>()!,
                v.GetProperty("expected").Deserialize<double[][][]>()!);
        }

        return cases;
    }
}
