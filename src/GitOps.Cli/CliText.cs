using System.Globalization;
using System.Text;

namespace GitOps.Cli;

/// <summary>
/// Makes text from repositories and clusters safe to print on one line: control characters (a newline in a file name,
/// an escape sequence in an object name) are written as <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\u001b</c>, so a name
/// can neither forge a line of output nor drive the terminal. Bidirectional overrides are escaped too.
/// </summary>
internal static class CliText
{
    /// <summary>Returns <paramref name="text"/> with every control character escaped.</summary>
    public static string Line(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var i = 0;
        while (i < text.Length && !NeedsEscape(text[i]))
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (!NeedsEscape(c))
            {
                sb.Append(c);
                continue;
            }

            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }

        return sb.ToString();
    }

    /// <summary>Escapes each line of a multi-line block (diff text) on its own, keeping the block's line breaks.</summary>
    public static string Lines(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? string.Empty : string.Join('\n', text.Split('\n').Select(Line));

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
