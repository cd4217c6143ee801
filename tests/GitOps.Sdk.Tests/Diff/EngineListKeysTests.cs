using System.Text;
using GitOps.Sdk.Diff;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Tests.Diff;

/// <summary>
/// The engine's list merge keys against the recorded corpus: every list a real server's managedFields key by
/// <c>k:{...}</c> must be a map list with the same keys in the diff engine's schema (the emulator's schema is checked
/// against the same facts in GitOps.Sdk.Testing.Tests).
/// </summary>
public sealed class EngineListKeysTests
{
    [Fact]
    public void ListKeysMatchTheRecordedManagedFields()
    {
        var recorded = RecordedListKeys.FromCorpus();
        recorded.Should().HaveCountGreaterThan(10);
        var mismatches = new List<string>();
        // The engine strips status before it diffs (ARCHITECTURE.md, Diff semantics): status lists are not its business.
        foreach (var list in recorded.Where(l => !l.Path.StartsWith("status", StringComparison.Ordinal)))
        {
            SchemaNode? node = SchemaNode.ForKind(list.Group, list.Kind);
            foreach (var step in list.Path.Split('.'))
            {
                node = step == "[]" ? node?.Items : node?.Child(Encoding.UTF8.GetBytes(step));
            }

            var keys = node?.Keys.Select(k => k.Name).Order(StringComparer.Ordinal).ToList() ?? [];
            if (node is null || node.ListKind != ListKind.Map || !keys.SequenceEqual(list.Keys))
            {
                mismatches.Add($"{list}: engine has {node?.ListKind.ToString() ?? "nothing"} [{string.Join(",", keys)}]");
            }
        }

        mismatches.Should().BeEmpty();
    }
}
