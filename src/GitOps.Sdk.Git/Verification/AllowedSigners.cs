using System.Globalization;
using System.Text;

namespace GitOps.Sdk.Git;

/// <summary>
/// The <c>allowed_signers</c> format of <c>ssh-keygen(1)</c>: <c>principals [options] keytype base64-key [comment]</c>,
/// with the options <c>cert-authority</c>, <c>namespaces="…"</c>, <c>valid-after="…"</c> and <c>valid-before="…"</c>.
/// </summary>
internal sealed class AllowedSigners
{
    private readonly List<Entry> entries;

    private AllowedSigners(List<Entry> entries) => this.entries = entries;

    /// <summary>Gets the number of trusted keys.</summary>
    public int Count => entries.Count;

    /// <summary>Reads the text of one or more files.</summary>
    /// <param name="text">The contents.</param>
    /// <param name="origin">Where the text comes from, for error messages.</param>
    /// <exception cref="FormatException">A line is malformed (its number is in the message; key material never is).</exception>
    public static AllowedSigners Parse(string text, string origin)
    {
        var entries = new List<Entry>();
        var number = 0;
        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            try
            {
                entries.Add(ParseLine(line));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{origin} line {number}: {e.Message}", e);
            }
        }

        return new AllowedSigners(entries);
    }

    /// <summary>
    /// Finds the first line that trusts <paramref name="key"/> for namespace <paramref name="namespace"/> at
    /// <paramref name="signedAt"/> (and, when <paramref name="principal"/> is given, names a matching principal), as
    /// <c>ssh-keygen -Y find-principals</c> followed by <c>-Y verify</c> does.
    /// </summary>
    /// <returns>The line's principals, or <see langword="null"/> and why no line matched.</returns>
    public (string? Principals, string Reason) Find(SshPublicKey key, string @namespace, DateTimeOffset signedAt, string? principal)
    {
        var reason = "the key is not in the allowed signers";
        foreach (var entry in entries)
        {
            if (entry.CertificateAuthority || !entry.Key.Blob.AsSpan().SequenceEqual(key.Blob))
            {
                continue;
            }

            if (entry.Namespaces is { } namespaces && Patterns.MatchList(@namespace, namespaces) != 1)
            {
                reason = $"the allowed signers do not allow the key for namespace '{@namespace}' (namespaces=\"{namespaces}\")";
                continue;
            }

            if (entry.ValidAfter is { } after && signedAt < after)
            {
                reason = $"the key is valid only after {after:u}, the signature is from {signedAt.ToUniversalTime():u}";
                continue;
            }

            if (entry.ValidBefore is { } before && signedAt > before)
            {
                reason = $"the key was valid only before {before:u}, the signature is from {signedAt.ToUniversalTime():u}";
                continue;
            }

            if (principal is not null && Patterns.MatchList(principal, entry.Principals) != 1)
            {
                reason = $"the key's principals ({entry.Principals}) do not match the signer '{principal}'";
                continue;
            }

            return (entry.Principals, string.Empty);
        }

        return (null, reason);
    }

    private static Entry ParseLine(string line)
    {
        var rest = line.AsSpan();
        var principals = NextToken(ref rest) ?? throw new FormatException("no principals");
        var token = PeekToken(rest);
        string? options = null;
        if (token is null || !SshPublicKey.IsKeyType(token))
        {
            options = ReadOptions(ref rest);
        }

        var type = NextToken(ref rest) ?? throw new FormatException("no key");
        var data = NextToken(ref rest) ?? throw new FormatException("the key has no base64 data");
        SshPublicKey key;
        try
        {
            key = SshPublicKey.FromBlob(Convert.FromBase64String(data));
        }
        catch (FormatException)
        {
            throw new FormatException("the key is not valid base64 SSH key data");
        }

        if (key.Type != type)
        {
            throw new FormatException($"the key type '{type}' does not match the key data ({key.Type})");
        }

        var entry = new Entry(principals, key);
        if (options is not null)
        {
            ApplyOptions(options, ref entry);
        }

        return entry;
    }

    private static void ApplyOptions(string options, ref Entry entry)
    {
        foreach (var option in SplitOptions(options))
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? option : option[..eq]).ToLowerInvariant();
            var value = eq < 0 ? null : Unquote(option[(eq + 1)..]);
            switch (name)
            {
                case "cert-authority" when value is null:
                    entry = entry with { CertificateAuthority = true };
                    break;
                case "namespaces" when value is not null:
                    entry = entry with { Namespaces = value };
                    break;
                case "valid-after" when value is not null:
                    entry = entry with { ValidAfter = ParseTime(value, name) };
                    break;
                case "valid-before" when value is not null:
                    entry = entry with { ValidBefore = ParseTime(value, name) };
                    break;
                default:
                    throw new FormatException($"unsupported option '{name}'");
            }
        }
    }

    /// <summary>Reads <c>YYYYMMDD[HHMM[SS]][Z]</c>: UTC with <c>Z</c>, else the machine's local time (as <c>ssh-keygen</c>).</summary>
    private static DateTimeOffset ParseTime(string text, string option)
    {
        var utc = text.EndsWith('Z') || text.EndsWith('z');
        var digits = utc ? text[..^1] : text;
        var format = digits.Length switch
        {
            8 => "yyyyMMdd",
            12 => "yyyyMMddHHmm",
            14 => "yyyyMMddHHmmss",
            _ => null,
        };
        if (format is null || !DateTime.TryParseExact(digits, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            throw new FormatException($"{option}=\"{text}\" is not YYYYMMDD[HHMM[SS]][Z]");
        }

        return utc
            ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))
            : new DateTimeOffset(time, TimeZoneInfo.Local.GetUtcOffset(time));
    }

    private static string? NextToken(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart();
        if (rest.IsEmpty)
        {
            return null;
        }

        int end;
        string token;
        if (rest[0] == '"')
        {
            end = rest[1..].IndexOf('"');
            if (end < 0)
            {
                throw new FormatException("unterminated quote");
            }

            token = rest[1..(end + 1)].ToString();
            rest = rest[(end + 2)..];
            return token;
        }

        end = rest.IndexOfAny(' ', '\t');
        token = (end < 0 ? rest : rest[..end]).ToString();
        rest = end < 0 ? [] : rest[end..];
        return token;
    }

    private static string? PeekToken(ReadOnlySpan<char> rest) => NextToken(ref rest);

    /// <summary>Reads an option list up to the first unquoted blank.</summary>
    private static string ReadOptions(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart();
        var quoted = false;
        var i = 0;
        for (; i < rest.Length; i++)
        {
            var c = rest[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (c == ' ' || c == '\t'))
            {
                break;
            }
        }

        if (quoted)
        {
            throw new FormatException("unterminated quote in options");
        }

        var options = rest[..i].ToString();
        rest = rest[i..];
        return options;
    }

    private static List<string> SplitOptions(string options)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in options)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ',' && !quoted)
            {
                result.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        result.Add(current.ToString());
        return result.Where(o => o.Length > 0).ToList();
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;

    private sealed record Entry(string Principals, SshPublicKey Key)
    {
        public bool CertificateAuthority { get; init; }

        public string? Namespaces { get; init; }

        public DateTimeOffset? ValidAfter { get; init; }

        public DateTimeOffset? ValidBefore { get; init; }
    }
}

/// <summary>OpenSSH's pattern lists (<c>match.c</c>): comma-separated patterns with <c>*</c> and <c>?</c>, <c>!</c> negates.</summary>
internal static class Patterns
{
    /// <summary>Returns 1 when a positive pattern matches and no negated one does, -1 when a negated one matches, else 0.</summary>
    public static int MatchList(string text, string list)
    {
        var result = 0;
        foreach (var raw in list.Split(','))
        {
            var pattern = raw.Trim();
            var negated = pattern.StartsWith('!');
            if (negated)
            {
                pattern = pattern[1..];
            }

            if (Match(text, pattern))
            {
                if (negated)
                {
                    return -1;
                }

                result = 1;
            }
        }

        return result;
    }

    /// <summary>Matches <c>*</c> (any run) and <c>?</c> (any one character), case-sensitively.</summary>
    public static bool Match(ReadOnlySpan<char> text, ReadOnlySpan<char> pattern)
    {
        int t = 0, p = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                t++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
