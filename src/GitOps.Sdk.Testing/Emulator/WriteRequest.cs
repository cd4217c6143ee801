using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

internal enum WriteKind
{
    Create,
    Update,
    Patch,
    Apply,
}

/// <summary>One write request, from HTTP or from the "another actor" API.</summary>
internal sealed class WriteRequest
{
    public required ResourceType Type { get; init; }

    public required WriteKind Kind { get; init; }

    public string Namespace { get; init; } = string.Empty;

    public string? Name { get; init; }

    public string? Subresource { get; init; }

    public JsonObject? Body { get; init; }

    /// <summary>For <see cref="WriteKind.Patch"/>: computes the patched object from the live one.</summary>
    public Func<JsonObject, SchemaNode, JsonObject>? Patch { get; init; }

    public string Manager { get; init; } = "unknown";

    public bool Force { get; init; }

    public bool DryRun { get; init; }
}
