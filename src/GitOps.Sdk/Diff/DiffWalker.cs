using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Walks a desired object against its live counterpart: the two-way compare (<see cref="TwoWayWalker"/>) and the two
/// three-way sources of removed fields (<see cref="LastAppliedWalker"/>, <see cref="ManagedFieldsWalker"/>). In detect mode
/// (no <see cref="ChangeCollector"/>) it stops at the first difference and allocates nothing; in collect mode it records
/// every difference with its JSON pointer, live path and attribution. Both modes run the same code, so they cannot
/// disagree about what is drift.
/// </summary>
internal readonly struct DiffWalker
{
    private readonly WalkContext _context;

    public DiffWalker(CompiledIgnoreRules rules, bool isSecret, ChangeCollector? collector) =>
        _context = new WalkContext(rules, isSecret, collector);

    public bool IsDetecting => _context.Detecting;

    /// <summary>Compares the top level of an object (every field desired sets).</summary>
    public bool Root(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore) =>
        new TwoWayWalker(_context).Root(d, l, schema, ignore);

    /// <summary>Walks the last-applied object for fields desired no longer sets.</summary>
    public bool LastApplied(JsonElement last, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth) =>
        new LastAppliedWalker(_context).Walk(last, d, l, schema, ignore, depth);

    /// <summary>Walks our field manager's <c>fieldsV1</c> set for fields desired no longer sets.</summary>
    public bool OwnedFields(JsonElement owned, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth) =>
        new ManagedFieldsWalker(_context).Walk(owned, d, l, schema, ignore, depth);
}
