using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchNormNotebooks.Handouts;

/// <summary>One row of report.json: a code cell, how long it ran in the kernel, whether it succeeded.</summary>
/// <param name="Notebook">File name, e.g. "00-setup-check.dib".</param>
/// <param name="Variant">The form that ran (lecturer, students, wrong).</param>
/// <param name="Cell">1-based cell number (markdown cells count, as in the editor).</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Ok">False if the cell produced an error.</param>
public sealed record CellTiming(string Notebook, Variant Variant, int Cell, double Seconds, bool Ok);

/// <summary>
/// Writes report.json: <c>{ "ok", "totalSeconds", "notebooks": [ { "notebook", "codeCells", "liveCells", "claims",
/// "claimsWithBound", "demonstrations", "exercises" } ], "claims": [ { "notebook", "cell", "text", "ok", "value", "bound",
/// "seeds" } ], "exercises": [ { "notebook", "variant", "cell",
/// "name", "result" } ], "cells": [ { "notebook", "variant", "cell", "seconds", "ok" } ] }</c>. Claims and the
/// per-notebook counts come from the lecturer's run.
/// </summary>
public static class RunReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the report for <paramref name="cells"/> and the notebooks run so far to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<CellTiming> cells, IReadOnlyList<ExecutedNotebook>? notebooks = null)
    {
        notebooks ??= [];
        var lecturer = notebooks.Where(n => n.Variant == Variant.Lecturer).ToList();
        var report = new
        {
            ok = cells.All(c => c.Ok),
            totalSeconds = Math.Round(cells.Sum(c => c.Seconds), 2),
            notebooks = lecturer.Select(n => new
            {
                notebook = n.Name + ".dib",
                codeCells = n.Cells.Count(c => c.IsCode),
                liveCells = n.LiveCells,
                claims = n.Claims.Count(),
                claimsWithBound = n.Claims.Count(c => c.Bound is not null),
                demonstrations = n.Demonstrations,
                exercises = n.Exercises.Count(),
            }),
            claims = lecturer.SelectMany(n => n.Claims),
            exercises = notebooks.SelectMany(n => n.Exercises),
            cells,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
    }
}
