using System.Reflection;
using System.Reflection.Emit;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// Finds where a student's answer uses the library's own batch norm (notebooks/07-implement-batchnorm): reads the
/// compiled IL of the answer's method and of every method of the student's own code it reaches (helpers, lambdas, the
/// other answers it calls — in a notebook, earlier cells' submissions), and lists each call, constructor, delegate or
/// <c>typeof</c> that names one of the forbidden types. Framework and library methods are not followed, so an ordinary
/// <c>Matrix</c> or <c>Math.Sqrt</c> call is never reported.
/// </summary>
internal static class LibraryCalls
{
    private const int MaxMethods = 500;

    private static readonly OpCode[] OneByte = new OpCode[0x100];
    private static readonly OpCode[] TwoByte = new OpCode[0x100];

    static LibraryCalls()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.GetValue(null) is OpCode op)
            {
                ushort value = unchecked((ushort)op.Value);
                if (op.Size == 1)
                {
                    OneByte[value] = op;
                }
                else
                {
                    TwoByte[value & 0xff] = op;
                }
            }
        }
    }

    /// <summary>The forbidden members the <paramref name="answers"/> reach, as "Type.Member", followed by " (in name)"
    /// when the call sits in another named function of the student's than the answer itself, in order of discovery.</summary>
    /// <param name="answers">The student's functions (delegates to notebook methods or lambdas).</param>
    /// <param name="forbidden">Types (open generic definitions for generic types) the answers must not use.</param>
    public static IReadOnlyList<string> Find(IEnumerable<Delegate> answers, IReadOnlyCollection<Type> forbidden) =>
        Find(answers.Select(a => (MethodBase)a.Method), forbidden);

    /// <summary>As <see cref="Find(IEnumerable{Delegate}, IReadOnlyCollection{Type})"/>, from the student's methods
    /// themselves (notebooks 05 and 06: every method of an answer cell, see <see cref="AnswerCells"/>); also reports
    /// the library methods named in <paramref name="forbiddenMethods"/> ("Type.Method") whose types are allowed.</summary>
    public static IReadOnlyList<string> Find(IEnumerable<MethodBase> answerMethods, IReadOnlyCollection<Type> forbidden,
        IReadOnlyCollection<string>? forbiddenMethods = null)
    {
        var found = new List<string>();
        var visited = new HashSet<MethodBase>();
        var queue = new Queue<MethodBase>();
        var roots = answerMethods.ToHashSet();
        forbiddenMethods ??= [];
        foreach (var method in roots)
        {
            Visit(method, null, forbidden, forbiddenMethods, found, visited, queue);
        }

        while (queue.Count > 0 && visited.Count < MaxMethods)
        {
            var method = queue.Dequeue();
            string? where = roots.Contains(method) || method.Name.StartsWith('<') ? null : method.Name;
            Scan(method, where, forbidden, forbiddenMethods, found, visited, queue);
        }

        return found;
    }

    /// <summary>The fields, methods and types <paramref name="method"/>'s IL names, in order (unresolvable tokens left out).</summary>
    public static IEnumerable<MemberInfo> MembersUsed(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or BadImageFormatException)
        {
            yield break;
        }

        if (il is null)
        {
            yield break;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pc = 0;
        while (pc < il.Length)
        {
            OpCode op = il[pc] == 0xFE && pc + 1 < il.Length ? TwoByte[il[pc + 1]] : OneByte[il[pc]];
            pc += il[pc] == 0xFE ? 2 : 1;
            int size = OperandSize(op.OperandType, il, pc);
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineField
                && pc + 4 <= il.Length
                && Resolve(method.Module, BitConverter.ToInt32(il, pc), typeArguments, methodArguments) is MemberInfo member)
            {
                yield return member;
            }

            pc += size;
        }
    }

    private static void Visit(MethodBase method, string? where, IReadOnlyCollection<Type> forbidden, IReadOnlyCollection<string> forbiddenMethods,
        List<string> found, HashSet<MethodBase> visited, Queue<MethodBase> queue)
    {
        if (IsForbidden(method.DeclaringType, forbidden)
            || (method.DeclaringType is { } declaring && forbiddenMethods.Contains($"{Name(declaring)}.{method.Name}")))
        {
            Add(found, $"{Name(method.DeclaringType!)}.{(method.IsConstructor ? "new" : method.Name)}", where);
        }
        else if (IsStudentCode(method) && visited.Add(method))
        {
            queue.Enqueue(method);
        }
    }

    private static void Scan(MethodBase method, string? where, IReadOnlyCollection<Type> forbidden, IReadOnlyCollection<string> forbiddenMethods,
        List<string> found, HashSet<MethodBase> visited, Queue<MethodBase> queue)
    {
        foreach (var member in MembersUsed(method))
        {
            switch (member)
            {
                case MethodBase callee:
                    Visit(callee, where, forbidden, forbiddenMethods, found, visited, queue);
                    break;
                case Type type when IsForbidden(type, forbidden):
                    Add(found, Name(type), where);
                    break;
                case FieldInfo field when IsForbidden(field.DeclaringType, forbidden):
                    Add(found, $"{Name(field.DeclaringType!)}.{field.Name}", where);
                    break;
            }
        }
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException or FileNotFoundException)
        {
            return null;
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int pc) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => pc + 4 <= il.Length ? 4 + (4 * BitConverter.ToInt32(il, pc)) : 4,
        _ => 4,
    };

    private static bool IsForbidden(Type? type, IReadOnlyCollection<Type> forbidden)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            var definition = t.IsGenericType ? t.GetGenericTypeDefinition() : t;
            if (forbidden.Contains(definition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The student's own code: not the framework, not the lecture library, not this assembly.</summary>
    public static bool IsStudentCode(MethodBase method)
    {
        var assembly = method.Module.Assembly;
        if (assembly == typeof(Matrix<>).Assembly || assembly == typeof(LibraryCalls).Assembly || assembly == typeof(object).Assembly)
        {
            return false;
        }

        string name = assembly.GetName().Name ?? "";
        string[] framework = ["System", "Microsoft", "mscorlib", "netstandard", "FSharp", "Plotly", "xunit"];
        return !framework.Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal));
    }

    private static string Name(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }

    private static void Add(List<string> found, string call, string? where)
    {
        call = where is null ? call : $"{call} (in {where})";
        if (!found.Contains(call))
        {
            found.Add(call);
        }
    }
}
