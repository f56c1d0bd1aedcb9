namespace BatchNormNotebooks.Interactive;

/// <summary>The plotly.js that Plotly.NET embeds, so charts draw with the network off.</summary>
public static class PlotlyJs
{
    /// <summary>Version of the embedded plotly.js.</summary>
    public const string Version = "2.28.0";

    /// <summary>Name of the embedded resource inside Plotly.NET.dll.</summary>
    public const string ResourceName = "Plotly.NET.plotly-" + Version + ".min.js";

    /// <summary>
    /// Marker comment that starts the script element <see cref="ScriptElement"/> writes. The handout builder
    /// finds it to drop repeated copies and inline plotly.js once per page.
    /// </summary>
    public const string Marker = "/* bnn-plotly-js */";

    private static readonly Lazy<string> Source = new(Load);

    /// <summary>The minified plotly.js source.</summary>
    public static string Text => Source.Value;

    /// <summary>A <c>&lt;script&gt;</c> element that defines <c>window.Plotly</c> unless it already exists.</summary>
    /// <remarks>AMD's <c>define</c> (requirejs in classic Jupyter) is hidden while plotly.js runs, so plotly.js
    /// always sets the global <c>window.Plotly</c> instead of registering a module.</remarks>
    public static string ScriptElement() =>
        $"<script type=\"text/javascript\">{Marker}\nif (!window.Plotly) {{ (function (define) {{\n{Text.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}\n}}).call(window); }}\n</script>";

    private static string Load()
    {
        using var stream = typeof(Plotly.NET.GenericChart).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Plotly.NET.dll has no resource '{ResourceName}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
