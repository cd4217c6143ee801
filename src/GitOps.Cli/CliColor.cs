namespace GitOps.Cli;

/// <summary>
/// ANSI colour for terminal output, as <c>git diff</c> and <c>kubectl diff</c> with a colouring pager do: only when the
/// output is the process's own console and it is not redirected, and never when <c>NO_COLOR</c> is set
/// (https://no-color.org) or <c>--no-color</c> is given.
/// </summary>
internal static class CliColor
{
    public const string Red = "\u001b[31m";
    public const string Green = "\u001b[32m";
    public const string Cyan = "\u001b[36m";
    public const string Bold = "\u001b[1m";
    private const string Reset = "\u001b[0m";

    /// <summary>Tells whether <paramref name="output"/> is a terminal that should be coloured.</summary>
    public static bool Enabled(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Wraps <paramref name="text"/> in <paramref name="color"/> when <paramref name="enabled"/>.</summary>
    public static string Paint(string text, string color, bool enabled) => enabled && text.Length > 0 ? color + text + Reset : text;

    /// <summary>Colours a unified diff line by line: removed red, added green, hunk headers cyan, file headers bold.</summary>
    public static string UnifiedDiff(string diff, bool enabled)
    {
        if (!enabled || diff.Length == 0)
        {
            return diff;
        }

        var lines = diff.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            lines[i] = line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) ? Paint(line, Bold, true)
                : line.StartsWith('+') ? Paint(line, Green, true)
                : line.StartsWith('-') ? Paint(line, Red, true)
                : line.StartsWith("@@", StringComparison.Ordinal) ? Paint(line, Cyan, true)
                : line;
        }

        return string.Join('\n', lines);
    }
}
