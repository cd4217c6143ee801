using System.Text.RegularExpressions;

namespace GitOps.Sdk.AspNetCore;

/// <summary>
/// Removes credentials from free text before it leaves the process: the user-info of every URL
/// (<c>https://user:token@host</c> becomes <c>https://***@host</c>). The engine keeps credentials out of its messages;
/// this is the last line, for texts that quote a source's or a plugin's error.
/// </summary>
internal static partial class SafeText
{
    public static string? Redact(string? text) =>
        string.IsNullOrEmpty(text) || !text.Contains('@', StringComparison.Ordinal) ? text : UserInfo().Replace(text, "$1***@");

    [GeneratedRegex(@"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();
}
