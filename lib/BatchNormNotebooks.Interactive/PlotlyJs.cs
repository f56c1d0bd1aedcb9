using System.Reflection;

namespace BatchNormNotebooks.Interactive;

/// <summary>The plotly.js that Plotly.NET embeds, so charts draw with the network off.</summary>
/// <remarks>The one source of plotly.js and of its version: the <c>Plotly.NET.plotly-X.Y.Z.min.js</c> resource inside
/// the referenced Plotly.NET.dll (2.28.0 in Plotly.NET 6.0.0). The handout builder inlines the same text.</remarks>
public static class PlotlyJs
{
    private const string ResourcePrefix = "Plotly.NET.plotly-";
    private const string ResourceSuffix = ".min.js";

    /// <summary>
    /// Marker comment that starts the script element <see cref="ScriptElement"/> writes. The handout builder
    /// finds it to drop repeated copies and inline plotly.js once per page.
    /// </summary>
    public const string Marker = "/* bnn-plotly-js */";

    /// <summary>How <see cref="ScriptElement"/>'s output begins (the builder finds the element by it).</summary>
    public const string ScriptStart = "<script type=\"text/javascript\">" + Marker;

    private static readonly Lazy<string> Source = new(Load);

    /// <summary>Name of the embedded resource inside Plotly.NET.dll, e.g. <c>Plotly.NET.plotly-2.28.0.min.js</c>.</summary>
    public static string ResourceName { get; } =
        PlotlyAssembly.GetManifestResourceNames().SingleOrDefault(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"Plotly.NET.dll has no single resource {ResourcePrefix}*{ResourceSuffix}.");

    /// <summary>Version of the embedded plotly.js, read from <see cref="ResourceName"/>.</summary>
    public static string Version => ResourceName[ResourcePrefix.Length..^ResourceSuffix.Length];

    /// <summary>The minified plotly.js source.</summary>
    public static string Text => Source.Value;

    private static Assembly PlotlyAssembly => typeof(Plotly.NET.GenericChart).Assembly;

    /// <summary>A <c>&lt;script&gt;</c> element that defines <c>window.Plotly</c> unless it already exists.</summary>
    /// <remarks>AMD's <c>define</c> (requirejs in classic Jupyter) is hidden while plotly.js runs, so plotly.js
    /// always sets the global <c>window.Plotly</c> instead of registering a module.</remarks>
    public static string ScriptElement() =>
        $"{ScriptStart}\nif (!window.Plotly) {{ (function (define) {{\n{Text.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}\n}}).call(window); }}\n</script>";

    private static string Load()
    {
        using var stream = PlotlyAssembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Plotly.NET.dll has no resource '{ResourceName}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
