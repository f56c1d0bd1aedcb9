using System.Numerics;

namespace BatchNormNotebooks.Tests.BatchNorm;

/// <summary>
/// The same check for every public batch-norm kernel, in the style of TensorPrimitives' tests: each span argument one
/// element short and one element long, through the span overload and the array overload, in float and double, must
/// throw an <see cref="ArgumentException"/> whose ParamName is that argument. The shape is big enough that the array
/// overloads take their threaded path.
/// </summary>
public class KernelArgumentTests
{
    /// <summary>Every kernel with its span arguments in order; true marks a (batch, features) argument, false a per-feature one.</summary>
    private static readonly (string Kernel, bool HasArrayOverload, (string Name, bool PerRow)[] Arguments)[] s_kernels =
    [
        ("ForwardTrain", true, [("x", true), ("gamma", false), ("beta", false), ("mean", false), ("variance", false), ("invStd", false), ("y", true)]),
        ("ForwardEval", true, [("x", true), ("gamma", false), ("beta", false), ("runningMean", false), ("runningVariance", false), ("y", true)]),
        ("BackwardClosedForm", true, [("dy", true), ("x", true), ("gamma", false), ("mean", false), ("invStd", false), ("dx", true), ("dGamma", false), ("dBeta", false)]),
        ("BackwardGraph", false, [("dy", true), ("x", true), ("gamma", false), ("mean", false), ("invStd", false), ("dx", true), ("dGamma", false), ("dBeta", false)]),
    ];

    public static TheoryData<string, string, int, bool, string> Cases()
    {
        var data = new TheoryData<string, string, int, bool, string>();
        foreach (var (kernel, hasArrays, arguments) in s_kernels)
        {
            foreach (var (name, _) in arguments)
            {
                foreach (int delta in new[] { -1, 1 })
                {
                    foreach (bool arrays in hasArrays ? new[] { false, true } : [false])
                    {
                        data.Add(kernel, name, delta, arrays, "float");
                        data.Add(kernel, name, delta, arrays, "double");
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_element_short_or_long_names_the_argument(string kernel, string argument, int delta, bool arrays, string type)
    {
        var ex = type == "float" ? Call<float>(kernel, argument, delta, arrays) : Call<double>(kernel, argument, delta, arrays);
        Assert.Equal(argument, ex.ParamName);
        Assert.Contains(argument, ex.Message);
    }

    [Fact]
    public void The_table_lists_every_public_kernel()
    {
        string[] listed = [.. s_kernels.Select(k => k.Kernel)];
        string[] actual = [.. typeof(BatchNormKernels).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(m => m.Name).Distinct().Order()];
        Assert.Equal(actual, listed.Order());
    }

    private static ArgumentException Call<T>(string kernel, string argument, int delta, bool arrays) where T : IFloatingPointIeee754<T>
    {
        int batch = Math.Max(64, 2 * Environment.ProcessorCount);
        int n = (BatchNormKernels.ParallelThreshold / batch) + 1;
        var a = new Dictionary<string, T[]>();
        foreach (var (name, perRow) in s_kernels.Single(k => k.Kernel == kernel).Arguments)
        {
            int length = (perRow ? batch * n : n) + (name == argument ? delta : 0);
            a[name] = new T[length];
            a[name].AsSpan().Fill(T.One);
        }

        T eps = T.CreateChecked(1e-5);
        Action call = (kernel, arrays) switch
        {
            ("ForwardTrain", false) => () => BatchNormKernels.ForwardTrain<T>(a["x"].AsSpan(), batch, a["gamma"], a["beta"], eps, a["mean"], a["variance"], a["invStd"], a["y"]),
            ("ForwardTrain", true) => () => BatchNormKernels.ForwardTrain(a["x"], batch, a["gamma"], a["beta"], eps, a["mean"], a["variance"], a["invStd"], a["y"]),
            ("ForwardEval", false) => () => BatchNormKernels.ForwardEval<T>(a["x"].AsSpan(), batch, a["gamma"], a["beta"], a["runningMean"], a["runningVariance"], eps, a["y"]),
            ("ForwardEval", true) => () => BatchNormKernels.ForwardEval(a["x"], batch, a["gamma"], a["beta"], a["runningMean"], a["runningVariance"], eps, a["y"]),
            ("BackwardClosedForm", false) => () => BatchNormKernels.BackwardClosedForm<T>(a["dy"].AsSpan(), a["x"], batch, a["gamma"], a["mean"], a["invStd"], a["dx"], a["dGamma"], a["dBeta"]),
            ("BackwardClosedForm", true) => () => BatchNormKernels.BackwardClosedForm(a["dy"], a["x"], batch, a["gamma"], a["mean"], a["invStd"], a["dx"], a["dGamma"], a["dBeta"]),
            ("BackwardGraph", false) => () => BatchNormKernels.BackwardGraph<T>(a["dy"], a["x"], batch, a["gamma"], a["mean"], a["invStd"], a["dx"], a["dGamma"], a["dBeta"]),
            _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "not in the table"),
        };
        return Assert.ThrowsAny<ArgumentException>(call);
    }
}
