using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

public class ProgressLinesTests
{
    [Fact]
    public void Shows_the_latest_report_of_each_network_one_line_each()
    {
        var shown = new List<string>();
        var progress = new ProgressLines(shown.Add);
        progress.Report(new Figure1Progress("without BN", 500, 50_000, 0.91, 1.0));
        progress.Report(new Figure1Progress("with BN", 500, 50_000, 0.95, 1.1));
        progress.Report(new Figure1Progress("without BN", 1_000, 50_000, 0.93, 2.0));

        Assert.Equal(3, shown.Count);
        string[] lines = shown[^1].Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("with BN: step 500/50,000, test accuracy 95.00%, 1.1 s", lines[0].Replace("95.00 %", "95.00%", StringComparison.Ordinal));
        Assert.StartsWith("without BN: step 1,000/50,000", lines[1], StringComparison.Ordinal);
        Assert.Equal(shown[^1], progress.Text);
        Assert.Throws<ArgumentNullException>(() => progress.Report(null!));
    }
}
