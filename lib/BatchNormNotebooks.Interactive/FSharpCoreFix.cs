using System.Reflection;
using System.Runtime.Loader;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// Lets Plotly.NET run in the real dotnet-interactive kernel.
/// </summary>
/// <remarks>
/// Plotly.NET 6 and Plotly.NET.CSharp 0.14 are compiled against FSharp.Core 10.1.0.0, but the kernel
/// (microsoft.dotnet-interactive 1.0.712001) has FSharp.Core 10.0.0.0 loaded in the default load context, so
/// the first chart throws <c>FileNotFoundException: FSharp.Core, Version=10.1.0.0</c>. The fix answers the
/// runtime's failed lookup with the FSharp.Core that is already loaded. It must be installed before any
/// Plotly type is touched, which is why <see cref="Notebook.Setup"/> calls it from a method that mentions
/// no Plotly type.
/// </remarks>
public static class FSharpCoreFix
{
    private static int installed;

    /// <summary>True once <see cref="Install"/> has run in this process.</summary>
    public static bool IsInstalled => Volatile.Read(ref installed) == 1;

    /// <summary>Installs the resolver once; later calls do nothing.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += ResolveLoadedFSharpCore;
        }
    }

    private static Assembly? ResolveLoadedFSharpCore(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "FSharp.Core"
            ? AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core")
            : null;
}
