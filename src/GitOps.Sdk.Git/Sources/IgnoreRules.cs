using System.Text;
using System.Text.RegularExpressions;

namespace GitOps.Sdk.Git;

/// <summary>
/// Patterns in gitignore syntax (<c>*</c>, <c>**</c>, <c>?</c>, <c>[a-z]</c>, leading <c>/</c> anchors, trailing
/// <c>/</c> matches directories only, <c>!</c> re-includes, last match wins), each relative to the folder that declared it.
/// </summary>
internal sealed class IgnoreRules
{
    private readonly List<Rule> rules = [];

    /// <summary>Gets a value indicating whether no rule was added.</summary>
    public bool IsEmpty => rules.Count == 0;

    /// <summary>Adds the patterns of one file or option list.</summary>
    /// <param name="lines">The patterns, one per line; blank lines and <c>#</c> comments are skipped.</param>
    /// <param name="baseDirectory">The repository-relative folder the patterns are relative to ("" for the root).</param>
    /// <param name="origin">Where the patterns come from, for error messages.</param>
    /// <exception cref="FormatException">A pattern cannot be read.</exception>
    public void Add(IEnumerable<string> lines, string baseDirectory, string origin)
    {
        foreach (var raw in lines)
        {
            var rule = Parse(raw, baseDirectory, origin);
            if (rule is not null)
            {
                rules.Add(rule);
            }
        }
    }

    /// <summary>Returns a copy to which rules of a deeper folder can be added without changing this one.</summary>
    public IgnoreRules Clone()
    {
        var copy = new IgnoreRules();
        copy.rules.AddRange(rules);
        return copy;
    }

    /// <summary>Returns whether the last rule matching <paramref name="path"/> excludes it.</summary>
    /// <param name="path">The repository-relative path with <c>/</c> separators.</param>
    /// <param name="isDirectory">Whether the path is a folder.</param>
    /// <returns><see langword="true"/> when matched by a non-negated rule last.</returns>
    public bool IsMatch(string path, bool isDirectory)
    {
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var rule = rules[i];
            if (rule.DirectoryOnly && !isDirectory)
            {
                continue;
            }

            string relative;
            if (rule.Base.Length == 0)
            {
                relative = path;
            }
            else if (path.Length > rule.Base.Length && path.StartsWith(rule.Base, StringComparison.Ordinal) && path[rule.Base.Length] == '/')
            {
                relative = path[(rule.Base.Length + 1)..];
            }
            else
            {
                continue;
            }

            bool matched;
            try
            {
                matched = rule.Regex.IsMatch(relative);
            }
            catch (RegexMatchTimeoutException e)
            {
                throw new FormatException($"{rule.Origin}: the pattern '{rule.Pattern}' took too long to match '{path}'", e);
            }

            if (matched)
            {
                return !rule.Negated;
            }
        }

        return false;
    }

    /// <summary>Returns whether <paramref name="path"/> or one of its parent folders is matched (used for include lists).</summary>
    /// <param name="path">The repository-relative file path.</param>
    /// <returns>Whether the file is selected.</returns>
    public bool IsMatchOrUnder(string path)
    {
        if (IsMatch(path, isDirectory: false))
        {
            return true;
        }

        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            if (IsMatch(path[..slash], isDirectory: true))
            {
                return true;
            }
        }

        return false;
    }

    private static Rule? Parse(string raw, string baseDirectory, string origin)
    {
        var line = raw.TrimEnd('\r', '\n');

        // Trailing spaces are ignored unless escaped with a backslash.
        var end = line.Length;
        while (end > 0 && line[end - 1] == ' ' && !(end > 1 && line[end - 2] == '\\'))
        {
            end--;
        }

        line = line[..end];
        if (line.Length == 0 || line[0] == '#')
        {
            return null;
        }

        var negated = false;
        if (line[0] == '!')
        {
            negated = true;
            line = line[1..];
        }
        else if (line.StartsWith("\\!", StringComparison.Ordinal) || line.StartsWith("\\#", StringComparison.Ordinal))
        {
            line = line[1..];
        }

        var directoryOnly = false;
        if (line.EndsWith('/'))
        {
            directoryOnly = true;
            line = line.TrimEnd('/');
        }

        if (line.Length == 0)
        {
            return null;
        }

        var anchored = line.Contains('/', StringComparison.Ordinal);
        line = line.TrimStart('/');
        try
        {
            var body = GlobToRegex(line);
            var pattern = anchored ? $"^{body}$" : $"^(?:.*/)?{body}$";
            // Non-backtracking: matching is linear in the path length whatever the pattern ("**/a/**/a/**/…" would take
            // exponential time in a backtracking engine and time out every export).
            var regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
            return new Rule(regex, negated, directoryOnly, baseDirectory.Trim('/'), origin, raw.TrimEnd('\r'));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{origin}: the pattern '{raw}' cannot be read: {e.Message}", e);
        }
    }

    private static string GlobToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    var atSegmentStart = i == 0 || glob[i - 1] == '/';
                    if (i + 1 < glob.Length && glob[i + 1] == '*' && atSegmentStart && (i + 2 == glob.Length || glob[i + 2] == '/'))
                    {
                        if (i + 2 == glob.Length)
                        {
                            // "**" at the end: everything below.
                            sb.Append(".*");
                            i += 1;
                        }
                        else
                        {
                            // "**/": zero or more folders.
                            sb.Append("(?:.*/)?");
                            i += 2;
                        }
                    }
                    else
                    {
                        while (i + 1 < glob.Length && glob[i + 1] == '*')
                        {
                            i++;
                        }

                        sb.Append("[^/]*");
                    }

                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    var close = glob.IndexOf(']', i + 2 <= glob.Length ? i + 2 : glob.Length);
                    if (close < 0)
                    {
                        sb.Append("\\[");
                        break;
                    }

                    var set = glob[(i + 1)..close];
                    if (set.StartsWith('!'))
                    {
                        set = "^" + set[1..];
                    }

                    sb.Append('[').Append(set.Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                case '\\' when i + 1 < glob.Length:
                    sb.Append(Regex.Escape(glob[i + 1].ToString()));
                    i++;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return sb.ToString();
    }

    private sealed record Rule(Regex Regex, bool Negated, bool DirectoryOnly, string Base, string Origin, string Pattern);
}
