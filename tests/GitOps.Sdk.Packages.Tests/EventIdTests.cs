using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Packages.Tests;

/// <summary>
/// Log event ids are unique across the packages, each inside its package's range, and the table in
/// docs/operating.md ("Logs") says which ranges are owned and which ids are in use.
/// </summary>
public sealed partial class EventIdTests
{
    private static readonly Lazy<IReadOnlyList<LogMessage>> Messages = new(FindMessages);
    private static readonly Lazy<IReadOnlyList<DocumentedRange>> Table = new(ReadTable);

    [Fact]
    public void EveryLoggerMessage_HasAnExplicitId()
    {
        Messages.Value.Should().HaveCountGreaterThan(50, "the packages log through [LoggerMessage] methods");
        Lines(Messages.Value.Where(m => m.Id < 0)).Should().BeEmpty();
    }

    [Fact]
    public void EventIds_AreNotSharedByDifferentMessages()
    {
        var shared = Messages.Value
            .GroupBy(m => m.Id)
            .Where(g => g.Select(m => m.Message).Distinct(StringComparer.Ordinal).Count() > 1 || g.Select(m => m.Package).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(" | ", g)}");

        Lines(shared).Should().BeEmpty();
    }

    [Fact]
    public void EventIds_AreInsideTheirPackagesDocumentedRange()
    {
        var outside = Messages.Value
            .Where(m => Table.Value.SingleOrDefault(r => r.Package == m.Package) is not { } range || m.Id < range.From || m.Id > range.To)
            .Select(m => m.ToString());

        Lines(outside).Should().BeEmpty();
    }

    [Fact]
    public void DocsTable_HasOneRowPerShippedAssembly_WithRangesThatDoNotOverlap()
    {
        Table.Value.Select(r => r.Package).Should().BeEquivalentTo(ShippedAssemblies.All.Select(a => a.Package));
        var ordered = Table.Value.OrderBy(r => r.From).ToArray();
        for (var i = 1; i < ordered.Length; i++)
        {
            ordered[i].From.Should().BeGreaterThan(ordered[i - 1].To, $"{ordered[i].Package} and {ordered[i - 1].Package} must not share ids");
        }
    }

    [Fact]
    public void DocsTable_InUseColumn_MatchesTheIdsInUse()
    {
        foreach (var row in Table.Value)
        {
            var used = Messages.Value.Where(m => m.Package == row.Package).Select(m => m.Id).Distinct().Order().ToArray();
            Lines(used.Where(id => !row.InUse.Any(r => id >= r.From && id <= r.To)))
                .Should().BeEmpty($"the ids {row.Package} uses are listed in its 'In use' column");
            Lines(row.InUse.SelectMany(r => new[] { r.From, r.To }).Distinct().Where(id => !used.Contains(id)))
                .Should().BeEmpty($"every id or range bound in {row.Package}'s 'In use' column is used");
            if (used.Length == 0)
            {
                row.Text.Should().Contain("reserved", $"{row.Package} logs nothing");
            }
        }
    }

    private static string Lines<T>(IEnumerable<T> items) => string.Join(Environment.NewLine, items);

    private static List<LogMessage> FindMessages()
    {
        var found = new List<LogMessage>();
        foreach (var (package, assembly) in ShippedAssemblies.All)
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        found.Add(new LogMessage(package, attribute.EventId, attribute.Message, $"{type.FullName}.{method.Name}"));
                    }
                }
            }
        }

        return found;
    }

    private static List<DocumentedRange> ReadTable()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "docs", "operating.md"));
        var header = Array.FindIndex(lines, l => l.StartsWith("| Package | Event ids | In use |", StringComparison.Ordinal));
        header.Should().BeGreaterThan(0, "docs/operating.md has the event id table");
        var rows = new List<DocumentedRange>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries)[1..^1];
            cells.Should().HaveCount(3, line);
            var package = cells[0].Split('`')[1];
            var range = ParseRanges(cells[1]);
            range.Should().ContainSingle(line);
            rows.Add(new DocumentedRange(package, range[0].From, range[0].To, ParseRanges(cells[2]), cells[2]));
        }

        rows.Should().NotBeEmpty();
        return rows;
    }

    private static List<(int From, int To)> ParseRanges(string text) =>
        [.. NumberOrRange().Matches(text).Select(m => (
            From: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            To: int.Parse(m.Groups[2].Success ? m.Groups[2].Value : m.Groups[1].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"\b(\d+)(?:\s*[–-]\s*(\d+))?\b")]
    private static partial Regex NumberOrRange();

    private sealed record LogMessage(string Package, int Id, string Message, string Method)
    {
        public override string ToString() => $"{Package} {Id} {Method} \"{Message}\"";
    }

    private sealed record DocumentedRange(string Package, int From, int To, IReadOnlyList<(int From, int To)> InUse, string Text);
}
