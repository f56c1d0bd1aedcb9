using System.Text.Json;

namespace BatchNormNotebooks.Handouts;

/// <summary>One row of report.json: a code cell, how long it ran in the kernel, whether it succeeded.</summary>
/// <param name="Notebook">File name, e.g. "00-setup-check.dib".</param>
/// <param name="Cell">1-based cell number (markdown cells count, as in the editor).</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Ok">False if the cell produced an error.</param>
public sealed record CellTiming(string Notebook, int Cell, double Seconds, bool Ok);

/// <summary>Writes report.json: <c>{ "ok": …, "cells": [ { "notebook", "cell", "seconds", "ok" } ] }</c>.</summary>
public static class RunReport
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes the report for <paramref name="cells"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<CellTiming> cells)
    {
        var report = new { ok = cells.All(c => c.Ok), totalSeconds = Math.Round(cells.Sum(c => c.Seconds), 2), cells };
        File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
    }
}
