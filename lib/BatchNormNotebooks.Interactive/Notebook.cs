using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The setup of every notebook, two cells (split so each stays under 3 s on a fresh kernel). The first finds this
/// library by a path relative to the notebook, so it works the same in VS Code Polyglot Notebooks and in the
/// headless handout builder (working directory notebooks/):
/// <code>
/// #r "../lib/BatchNormNotebooks.Interactive/bin/Release/net10.0/BatchNormNotebooks.Interactive.dll"
/// </code>
/// and the second calls this:
/// <code>
/// using BatchNormNotebooks;
/// using BatchNormNotebooks.Interactive;
/// Notebook.Setup()
/// </code>
/// </summary>
/// <remarks>
/// The dll exists after the README's main command (<c>dotnet run --project lib/BatchNormNotebooks.Handouts -c Release</c>)
/// or <c>dotnet build lib/BatchNormNotebooks.Interactive -c Release</c>. After changing anything under lib/,
/// rebuild with that command and restart the kernel ("Restart" in VS Code): a kernel keeps the dll it loaded
/// first until it restarts.
/// </remarks>
public static class Notebook
{
    /// <summary>
    /// Installs the <see cref="FSharpCoreFix"/>, registers the HTML formatters for <see cref="Matrix{T}"/> and
    /// Plotly charts, gives each series concept one colour across the notebook's charts
    /// (<see cref="Charts.OneColourPerConcept"/>), and returns a report whose HTML also puts plotly.js on the page once.
    /// </summary>
    public static SetupReport Setup()
    {
        // Order matters: the fix must be in place before the JIT compiles any method that mentions a Plotly type.
        FSharpCoreFix.Install();
        return RegisterFormatters();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SetupReport RegisterFormatters()
    {
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml.Render(chart)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
        RegisterMatrix<double>();
        RegisterMatrix<float>();
        RegisterMatrix<Half>();
        Formatter.Register<SetupReport>((report, writer) => writer.Write(report.ToHtml()), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(SetupReport), HtmlFormatter.MimeType);
        Charts.ResetConceptColours();
        Charts.OneColourPerConcept = true;
        WarmUp = Task.Run(() =>
        {
            Charts.WithoutConcepts.Value = true; // the throw-away chart claims no colour
            WarmUpCharts();
        });
        return new SetupReport(
            Version(typeof(Notebook).Assembly),
            Version(typeof(Matrix<>).Assembly),
            Version(typeof(GenericChart).Assembly),
            PlotlyJs.Version,
            FSharpCoreFix.IsInstalled);
    }

    /// <summary>The background chart warm-up started by <see cref="Setup"/> (null before it).</summary>
    public static Task? WarmUp { get; private set; }

    /// <summary>Builds and serializes a throw-away chart on a background thread while the lecturer talks, so the
    /// first real chart cell does not pay for loading and compiling Plotly.NET and its JSON serializer (≈ 2 s).</summary>
    private static void WarmUpCharts()
    {
        double[] x = [0, 1, 2];
        _ = ChartHtml.Render(Charts.Lines([new Series("warm-up", x, x)], "warm-up", "x", "y"));
        _ = ChartHtml.Render(Charts.Scatter([new Series("warm-up", x, x)]));
    }

    private static void RegisterMatrix<T>() where T : System.Numerics.IFloatingPointIeee754<T>
    {
        Formatter.Register<Matrix<T>>((m, writer) => writer.Write(MatrixHtml.Render(m)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Matrix<T>), HtmlFormatter.MimeType);
    }

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "?";
}

/// <summary>What <see cref="Notebook.Setup"/> loaded; its HTML carries plotly.js for the charts below it.</summary>
/// <param name="Library">BatchNormNotebooks.Interactive version.</param>
/// <param name="Core">BatchNormNotebooks (the core library) version.</param>
/// <param name="PlotlyNet">Plotly.NET version.</param>
/// <param name="PlotlyJsVersion">Version of the embedded plotly.js.</param>
/// <param name="FSharpCoreFixInstalled">Whether the FSharp.Core resolver is installed.</param>
public sealed record SetupReport(string Library, string Core, string PlotlyNet, string PlotlyJsVersion, bool FSharpCoreFixInstalled)
{
    /// <summary>One line, e.g. "BatchNormNotebooks 1.0.0 loaded · Plotly.NET 6.0.0 (plotly.js 2.28.0, offline) · FSharp.Core fix on".</summary>
    public override string ToString() =>
        $"BatchNormNotebooks {Core} loaded · Plotly.NET {PlotlyNet} (plotly.js {PlotlyJsVersion}, offline) · FSharp.Core fix {(FSharpCoreFixInstalled ? "on" : "off")}";

    /// <summary>The line above as HTML, preceded by the plotly.js script.</summary>
    public string ToHtml() =>
        PlotlyJs.ScriptElement() + $"<div class=\"bnn-setup\" style=\"font-family:monospace;font-size:90%;color:#137333\">✔ {WebUtility.HtmlEncode(ToString())}</div>";
}
