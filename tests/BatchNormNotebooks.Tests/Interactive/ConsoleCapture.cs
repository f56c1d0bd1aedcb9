namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>What an action prints to <see cref="Console.Out"/> (tests using it run in <see cref="ConsoleCollection"/>).</summary>
internal static class ConsoleCapture
{
    public static string Of(Action action)
    {
        var previous = Console.Out;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            action();
        }
        finally
        {
            Console.SetOut(previous);
        }

        return writer.ToString().TrimEnd('\r', '\n');
    }
}

/// <summary>Tests that redirect <see cref="Console.Out"/> run one at a time.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
