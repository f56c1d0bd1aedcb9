using System.Diagnostics;
using System.Reflection;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// Finds where the answer cells behind a check use the library to compute what the exercise asks the student to work
/// out (notebooks 05 and 06, whose answers are values, not functions as in 07). The check cell is the first frame of
/// the call stack in the student's code; the <c>answer…</c> fields it reads are declared by the answer cells' compiled
/// classes (one per cell in the kernel), and every method of those classes — the cell's statements, its lambdas, its
/// local functions — is read by <see cref="LibraryCalls"/>, which follows the student's own functions they call.
/// Called outside a notebook (a test passing literals), it finds no answer cell and reports nothing.
/// </summary>
internal static class AnswerCells
{
    /// <summary>The forbidden library members the answer cells of the calling check reach, as "Type.Member" (empty when
    /// none, or when no answer cell is found).</summary>
    /// <param name="forbidden">Types (open generic definitions for generic types) the answers must not use.</param>
    /// <param name="forbiddenMethods">Library methods ("Type.Method") the answers must not call, on allowed types.</param>
    public static IReadOnlyList<string> LibraryCalls(IReadOnlyCollection<Type> forbidden, IReadOnlyCollection<string>? forbiddenMethods = null)
    {
        ArgumentNullException.ThrowIfNull(forbidden);
        var check = new StackTrace(1, false).GetFrames().Select(f => f.GetMethod())
            .FirstOrDefault(m => m is not null && Interactive.LibraryCalls.IsStudentCode(m));
        if (check is null)
        {
            return [];
        }

        var cells = Interactive.LibraryCalls.MembersUsed(check).OfType<FieldInfo>()
            .Where(f => f.Name.StartsWith("answer", StringComparison.Ordinal) && f.DeclaringType is not null)
            .Select(f => f.DeclaringType!).Distinct().ToList();
        var methods = cells.SelectMany(MethodsOf).Where(Interactive.LibraryCalls.IsStudentCode).ToList();
        return methods.Count == 0 ? [] : Interactive.LibraryCalls.Find(methods, forbidden, forbiddenMethods);
    }

    /// <summary>A verdict line for a check whose answer cell called the library: ❌ naming the calls and what to use instead.</summary>
    public static void Reject(string name, IReadOnlyList<string> calls, string instead) =>
        Exercise.Report(name, false, $"Your answer cell calls the library's {string.Join(", ", calls.Select(Readable))}: this exercise is to work it out yourself — {instead}. "
            + "(The check reads the compiled code of the answer cell and of every function of yours it calls.)");

    /// <summary>"RunningStatistics.get_Mean" → "RunningStatistics.Mean": a property as the student wrote it.</summary>
    private static string Readable(string call) => call.Replace(".get_", ".", StringComparison.Ordinal).Replace(".set_", ".", StringComparison.Ordinal);

    private static IEnumerable<MethodBase> MethodsOf(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var method in type.GetMethods(all))
        {
            yield return method;
        }

        foreach (var constructor in type.GetConstructors(all))
        {
            yield return constructor;
        }

        foreach (var nested in type.GetNestedTypes(all).SelectMany(MethodsOf))
        {
            yield return nested;
        }
    }
}
