using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>An object as stored: its JSON (never mutated once stored) and its serialized bytes.</summary>
internal sealed class StoredObject
{
    public StoredObject(JsonObject node, long resourceVersion)
    {
        Node = node;
        ResourceVersion = resourceVersion;
        Bytes = JsonSerializer.SerializeToUtf8Bytes(node, JsonValues.Wire);
        Namespace = (string?)node["metadata"]?["namespace"] ?? string.Empty;
        Name = (string?)node["metadata"]?["name"] ?? string.Empty;
    }

    public JsonObject Node { get; }

    public byte[] Bytes { get; }

    /// <summary>Gets the bytes as a list item of a built-in kind (without kind and apiVersion).</summary>
    public byte[] ItemBytes
    {
        get
        {
            if (_itemBytes is null)
            {
                var copy = CloneNode();
                copy.Remove("kind");
                copy.Remove("apiVersion");
                _itemBytes = JsonSerializer.SerializeToUtf8Bytes(copy, JsonValues.Wire);
            }

            return _itemBytes;
        }
    }

    private byte[]? _itemBytes;

    public long ResourceVersion { get; }

    public string Namespace { get; }

    public string Name { get; }

    public IReadOnlyDictionary<string, string> Labels =>
        Node["metadata"]?["labels"] is JsonObject labels
            ? labels.Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString(), StringComparer.Ordinal)
            : EmptyLabels;

    private static readonly Dictionary<string, string> EmptyLabels = new(StringComparer.Ordinal);

    public JsonObject CloneNode() => (JsonObject)Node.DeepClone();
}
