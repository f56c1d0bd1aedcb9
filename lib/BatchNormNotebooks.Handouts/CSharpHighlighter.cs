using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace BatchNormNotebooks.Handouts;

/// <summary>A small C# syntax highlighter: wraps comments, strings, numbers, keywords, types and directives in spans.</summary>
/// <remarks>Token-level only (no parsing): good enough for 1–15 line notebook cells. CSS classes: c (comment),
/// s (string), n (number), k (keyword), t (type-like name), d (directive such as <c>#r</c>).</remarks>
public static partial class CSharpHighlighter
{
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class",
        "const", "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit",
        "extern", "false", "finally", "fixed", "float", "for", "foreach", "from", "get", "goto", "if", "implicit", "in",
        "init", "int", "interface", "internal", "is", "let", "lock", "long", "nameof", "namespace", "new", "not", "null",
        "object", "operator", "or", "and", "out", "override", "params", "private", "protected", "public", "readonly",
        "record", "ref", "return", "sbyte", "sealed", "select", "set", "short", "sizeof", "static", "string", "struct",
        "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using",
        "var", "virtual", "void", "volatile", "when", "where", "while", "with", "yield",
    ];

    /// <summary>The highlighted HTML for <paramref name="code"/> (to go inside <c>&lt;pre&gt;&lt;code&gt;</c>).</summary>
    public static string Highlight(string code)
    {
        var sb = new StringBuilder();
        int last = 0;
        foreach (Match m in Token().Matches(code))
        {
            sb.Append(WebUtility.HtmlEncode(code[last..m.Index]));
            string cls = m.Groups["c"].Success ? "c"
                : m.Groups["d"].Success ? "d"
                : m.Groups["s"].Success ? "s"
                : m.Groups["n"].Success ? "n"
                : Keywords.Contains(m.Value) ? "k"
                : char.IsUpper(m.Value[0]) ? "t"
                : "";
            string text = WebUtility.HtmlEncode(m.Value);
            sb.Append(cls.Length == 0 ? text : $"<span class=\"{cls}\">{text}</span>");
            last = m.Index + m.Length;
        }

        sb.Append(WebUtility.HtmlEncode(code[last..]));
        return sb.ToString();
    }

    [GeneratedRegex("""
        (?<c>//[^\n]*|/\*[\s\S]*?\*/)
        |(?<d>^\s*\#!?[a-z]+\b[^\n]*)
        |(?<s>""\"[\s\S]*?""\"|\$?@"(?:[^"]|"")*"|\$?"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)')
        |(?<n>\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?[fFdDmMlLuU]?\b)
        |(?<w>\b[A-Za-z_][A-Za-z0-9_]*\b)
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.Multiline)]
    private static partial Regex Token();
}
