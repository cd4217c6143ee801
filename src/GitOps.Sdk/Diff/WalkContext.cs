using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// What every walk of one desired/live pair shares: the compiled ignore rules, whether the object is a Secret, and where
/// differences go. Without a <see cref="ChangeCollector"/> (detect mode) a walk stops at the first difference and
/// allocates nothing; with one (collect mode) it records every difference with its path.
/// </summary>
internal readonly struct WalkContext
{
    private readonly ChangeCollector? _collector;

    public WalkContext(CompiledIgnoreRules rules, bool isSecret, ChangeCollector? collector)
    {
        Rules = rules;
        IsSecret = isSecret;
        _collector = collector;
    }

    public CompiledIgnoreRules Rules { get; }

    public bool IsSecret { get; }

    /// <summary>Whether the walk only asks "is there any difference" (and so may stop at the first).</summary>
    public bool Detecting => _collector is null;

    /// <summary>Returns whether a metadata field is written by the server, never by a user.</summary>
    public static bool IsServerOwnedMetadata(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("uid"u8) || name.SequenceEqual("resourceVersion"u8) || name.SequenceEqual("generation"u8)
        || name.SequenceEqual("creationTimestamp"u8) || name.SequenceEqual("managedFields"u8) || name.SequenceEqual("selfLink"u8)
        || name.SequenceEqual("deletionTimestamp"u8) || name.SequenceEqual("deletionGracePeriodSeconds"u8);

    /// <summary>Returns whether a field is never drift: the type and status at the top level, server-owned metadata below it.</summary>
    public static bool IsNeverCompared(ReadOnlySpan<byte> name, int depth, SchemaNode schema) =>
        (depth == 0 && (name.SequenceEqual("status"u8) || name.SequenceEqual("apiVersion"u8) || name.SequenceEqual("kind"u8)))
        || (depth == 1 && schema.Name == "metadata" && IsServerOwnedMetadata(name));

    public void Push(JsonProperty p, JsonElement live) => _collector?.PushName(JsonValues.RawName(p), live);

    public void PushName(ReadOnlySpan<byte> rawName, JsonElement live) => _collector?.PushName(rawName, live);

    public void PushIndex(int desiredIndex, JsonElement liveItem, int liveIndex) => _collector?.PushIndex(desiredIndex, liveItem, liveIndex);

    public void Pop() => _collector?.Pop();

    /// <summary>Records a difference; returns true (a difference was found) in both modes.</summary>
    public bool Report(FieldChangeKind kind, JsonElement desired, JsonElement live) =>
        _collector is null || _collector.Report(kind, desired, live);
}
