using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace GitOps.Sdk.Diff;

/// <summary>
/// The ignore rules of one <see cref="DiffOptions"/>, compiled once (regular expressions, pointer segments) and cached
/// against the options instance, then selected per object as bit masks so that a diff allocates nothing for them.
/// </summary>
internal sealed class CompiledIgnoreRules
{
    private static readonly ConditionalWeakTable<DiffOptions, CompiledIgnoreRules> Cache = [];
    private static readonly CompiledIgnoreRules Empty = new([]);

    private readonly Rule[] _rules;

    private CompiledIgnoreRules(ImmutableArray<IgnoreRule> rules)
    {
        var compiled = new List<Rule>();
        var pointers = new List<byte[]?[]>();
        var managers = new List<string>();
        foreach (var rule in rules.IsDefault ? [] : rules)
        {
            ulong pointerMask = 0;
            foreach (var pointer in rule.JsonPointers.IsDefault ? [] : rule.JsonPointers)
            {
                if (pointers.Count == 64)
                {
                    throw new ArgumentException("At most 64 ignore pointers are supported per DiffOptions.", nameof(rules));
                }

                pointerMask |= 1UL << pointers.Count;
                pointers.Add(ParsePointer(pointer));
            }

            var managerNames = rule.ManagedFieldsManagers.IsDefault ? [] : rule.ManagedFieldsManagers;
            var managerStart = managers.Count;
            managers.AddRange(managerNames);
            compiled.Add(new Rule(
                Pattern.Create(rule.Group),
                Pattern.Create(rule.Kind),
                Pattern.Create(rule.Namespace),
                Pattern.Create(rule.Name),
                pointerMask,
                managerStart,
                managerNames.Length));
        }

        _rules = [.. compiled];
        Pointers = [.. pointers];
        Managers = [.. managers];
    }

    /// <summary>Gets every pointer of every rule: segments as unescaped UTF-8, <see langword="null"/> for a <c>*</c> segment.</summary>
    public byte[]?[][] Pointers { get; }

    /// <summary>Gets every manager name of every rule.</summary>
    public string[] Managers { get; }

    public static CompiledIgnoreRules For(DiffOptions options)
    {
        if (options.IgnoreRules.IsDefaultOrEmpty)
        {
            return Empty;
        }

        return Cache.GetValue(options, static o => new CompiledIgnoreRules(o.IgnoreRules));
    }

    /// <summary>Selects the rules that apply to one object.</summary>
    /// <returns>The mask of <see cref="Pointers"/> that apply; <paramref name="managers"/> gets the mask of <see cref="Managers"/>.</returns>
    public ulong Select(ResourceKey key, out ulong managers)
    {
        ulong pointers = 0;
        managers = 0;
        foreach (var rule in _rules)
        {
            if (rule.Group.IsMatch(key.Group) && rule.Kind.IsMatch(key.Kind) && rule.Namespace.IsMatch(key.Namespace) && rule.Name.IsMatch(key.Name))
            {
                pointers |= rule.PointerMask;
                for (var i = 0; i < rule.ManagerCount && rule.ManagerStart + i < 64; i++)
                {
                    managers |= 1UL << (rule.ManagerStart + i);
                }
            }
        }

        return pointers;
    }

    /// <summary>
    /// Advances the active pointer set by one path segment. Returns the pointers still matching below the segment and sets
    /// <paramref name="ignored"/> when one of them ends exactly here (the subtree is ignored).
    /// </summary>
    public ulong Advance(ulong active, int depth, ReadOnlySpan<byte> segment, out bool ignored)
    {
        ignored = false;
        var next = 0UL;
        var remaining = active;
        while (remaining != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(remaining);
            remaining &= remaining - 1;
            var pointer = Pointers[i];
            if (depth >= pointer.Length)
            {
                continue;
            }

            var expected = pointer[depth];
            if (expected is null || segment.SequenceEqual(expected))
            {
                if (depth + 1 == pointer.Length)
                {
                    ignored = true;
                    return 0;
                }

                next |= 1UL << i;
            }
        }

        return next;
    }

    /// <summary>Advances by an array index segment.</summary>
    public ulong AdvanceIndex(ulong active, int depth, int index, out bool ignored)
    {
        ignored = false;
        if (active == 0)
        {
            return 0;
        }

        Span<byte> digits = stackalloc byte[11];
        index.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        return Advance(active, depth, digits[..written], out ignored);
    }

    /// <summary>Advances by a raw (escaped) property name.</summary>
    public ulong AdvanceName(ulong active, int depth, ReadOnlySpan<byte> rawName, out bool ignored)
    {
        ignored = false;
        if (active == 0)
        {
            return 0;
        }

        if (rawName.IndexOf((byte)'\\') >= 0)
        {
            return Advance(active, depth, Encoding.UTF8.GetBytes(JsonValues.Unescape(rawName)), out ignored);
        }

        return Advance(active, depth, rawName, out ignored);
    }

    /// <summary>Returns whether a pointer of the mask is the whole object (<c>""</c> or <c>/</c>).</summary>
    public bool IgnoresWholeObject(ulong active)
    {
        var remaining = active;
        while (remaining != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(remaining);
            remaining &= remaining - 1;
            if (Pointers[i].Length == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns whether one of the selected managers is <paramref name="manager"/>.</summary>
    public bool IsIgnoredManager(ulong selected, string manager)
    {
        var remaining = selected;
        while (remaining != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(remaining);
            remaining &= remaining - 1;
            if (string.Equals(Managers[i], manager, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[]?[] ParsePointer(string pointer)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        if (pointer.Length == 0 || pointer == "/")
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new ArgumentException($"Ignore pointer '{pointer}' is not a JSON pointer (it must start with '/').", nameof(pointer));
        }

        return [.. pointer[1..].Split('/').Select(s => s == "*" ? null : Encoding.UTF8.GetBytes(JsonValues.UnescapePointerSegment(s)))];
    }

    private sealed record Rule(Pattern Group, Pattern Kind, Pattern Namespace, Pattern Name, ulong PointerMask, int ManagerStart, int ManagerCount);

    /// <summary>A selector: any (<see langword="null"/>), exact text, a <c>*</c> wildcard pattern, or a <c>/regex/</c>.</summary>
    internal sealed class Pattern
    {
        private static readonly Pattern Any = new(null, null);
        private readonly string? _exact;
        private readonly Regex? _regex;

        private Pattern(string? exact, Regex? regex)
        {
            _exact = exact;
            _regex = regex;
        }

        public static Pattern Create(string? text)
        {
            if (text is null || text == "*")
            {
                return Any;
            }

            if (text.Length >= 2 && text[0] == '/' && text[^1] == '/')
            {
                return new Pattern(null, new Regex(text[1..^1], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            }

            if (text.Contains('*', StringComparison.Ordinal))
            {
                var regex = "^" + string.Join(".*", text.Split('*').Select(Regex.Escape)) + "$";
                return new Pattern(null, new Regex(regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            }

            return new Pattern(text, null);
        }

        public bool IsMatch(string value) =>
            _regex is not null ? _regex.IsMatch(value) : _exact is null || string.Equals(_exact, value, StringComparison.Ordinal);
    }
}
