using Semver;

namespace GitOps.Sdk.Shared;

/// <summary>
/// Picks the highest version that satisfies a semver constraint, the way Helm and Flux do: npm-style ranges
/// (<c>^1.2</c>, <c>~1.2.3</c>, <c>&gt;=1.0.0 &lt;2.0.0</c>, <c>1.x</c>, <c>*</c>), a leading <c>v</c> on tags allowed,
/// pre-releases only when asked. Compiled into each source package that selects versions (Git tags, Helm chart
/// versions, OCI tags), so none of them needs the engine.
/// </summary>
internal static class VersionSelector
{
    /// <summary>Returns <see langword="true"/> when <paramref name="reference"/> reads as a semver constraint rather than a plain name.</summary>
    /// <param name="reference">A ref such as <c>main</c>, <c>v1.2.3</c>, <c>^1.2</c>.</param>
    /// <returns>Whether it contains range syntax.</returns>
    public static bool LooksLikeRange(string? reference) =>
        reference is not null
        && (reference == "*"
            || reference.IndexOfAny(['^', '~', '>', '<', '=', '|', ' ', '*']) >= 0
            || reference.Contains(".x", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a version, accepting a leading <c>v</c>.</summary>
    /// <param name="text">The version text, e.g. <c>v1.4.2</c>.</param>
    /// <param name="version">The parsed version.</param>
    /// <returns>Whether the text is a version.</returns>
    public static bool TryParseVersion(string text, out SemVersion version)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.StartsWith('v') || text.StartsWith('V') ? text[1..] : text;
        return SemVersion.TryParse(t, SemVersionStyles.Strict, out version!)
            || SemVersion.TryParse(t, SemVersionStyles.Any, out version!);
    }

    /// <summary>Selects the highest candidate satisfying <paramref name="constraint"/>.</summary>
    /// <param name="candidates">Version strings (tags, chart versions); those that are not versions are skipped.</param>
    /// <param name="constraint">The constraint; <see langword="null"/>, empty or <c>*</c> means the latest stable.</param>
    /// <param name="includePrerelease">Whether pre-release versions may be chosen.</param>
    /// <returns>The original text of the chosen candidate, or <see langword="null"/> when none matches.</returns>
    /// <exception cref="FormatException"><paramref name="constraint"/> is not a valid range.</exception>
    public static string? SelectHighest(IEnumerable<string> candidates, string? constraint, bool includePrerelease)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var range = ParseRange(constraint, includePrerelease);
        string? best = null;
        SemVersion? bestVersion = null;
        foreach (var candidate in candidates)
        {
            if (!TryParseVersion(candidate, out var version))
            {
                continue;
            }

            if (version.IsPrerelease && !includePrerelease)
            {
                continue;
            }

            if (!range.Contains(version))
            {
                continue;
            }

            if (bestVersion is null || version.ComparePrecedenceTo(bestVersion) > 0)
            {
                best = candidate;
                bestVersion = version;
            }
        }

        return best;
    }

    private static SemVersionRange ParseRange(string? constraint, bool includePrerelease)
    {
        var text = string.IsNullOrWhiteSpace(constraint) ? "*" : constraint.Trim();

        // Helm and Flux write ranges with commas ("\u003e=1.0.0, \u003c2.0.0"); npm syntax uses spaces.
        text = text.Replace(",", " ", StringComparison.Ordinal);
        if (!SemVersionRange.TryParseNpm(text, includePrerelease, out var range))
        {
            throw new FormatException($"'{constraint}' is not a valid semver constraint (examples: ^1.2, ~1.2.3, >=1.0.0 <2.0.0, *).");
        }

        return range;
    }
}
