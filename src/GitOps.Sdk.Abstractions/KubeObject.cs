using System.Buffers;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk;

/// <summary>
/// An immutable Kubernetes object backed by its JSON text. Reading <see cref="ApiVersion"/>, <see cref="Kind"/>,
/// <see cref="Name"/> and the rest costs no parse after construction; the whole document is available as a
/// read-only <see cref="JsonElement"/> (<see cref="Json"/>) and as UTF-8 bytes (<see cref="Utf8Json"/>).
/// </summary>
/// <remarks>
/// <see cref="ToString"/> prints only the <see cref="Key"/>, never the content, so a Secret's data cannot reach a
/// log through string formatting. Two objects are equal when their canonical content (keys sorted) is equal.
/// </remarks>
public sealed class KubeObject : IEquatable<KubeObject>
{
    private readonly JsonDocument _document;
    private string? _contentHash;
    private IReadOnlyDictionary<string, string>? _labels;
    private IReadOnlyDictionary<string, string>? _annotations;

    private KubeObject(ReadOnlyMemory<byte> utf8Json, JsonDocument document, ObjectOrigin? origin)
    {
        Utf8Json = utf8Json;
        _document = document;
        Json = document.RootElement;
        Origin = origin;

        if (Json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A Kubernetes object must be a JSON object, not {Json.ValueKind}.");
        }

        ApiVersion = ReadString(Json, "apiVersion") ?? throw new FormatException("The object has no apiVersion.");
        Kind = ReadString(Json, "kind") ?? throw new FormatException("The object has no kind.");
        (Group, Version) = GroupKind.SplitApiVersion(ApiVersion);
        if (Json.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            Metadata = metadata;
            Name = ReadString(metadata, "name") ?? string.Empty;
            Namespace = ReadString(metadata, "namespace") ?? string.Empty;
        }
        else
        {
            Name = string.Empty;
            Namespace = string.Empty;
        }

        Key = new ResourceKey(Group, Kind, Namespace, Name);
    }

    /// <summary>Gets the whole object as a read-only JSON element.</summary>
    public JsonElement Json { get; }

    /// <summary>Gets the <c>metadata</c> element, or <see langword="default"/> when the object has none.</summary>
    public JsonElement Metadata { get; }

    /// <summary>Gets the object's JSON as UTF-8 bytes, exactly as it was given.</summary>
    public ReadOnlyMemory<byte> Utf8Json { get; }

    /// <summary>Gets the <c>apiVersion</c>, e.g. <c>apps/v1</c>.</summary>
    public string ApiVersion { get; }

    /// <summary>Gets the API group (empty for the core group).</summary>
    public string Group { get; }

    /// <summary>Gets the API version without the group, e.g. <c>v1</c>.</summary>
    public string Version { get; }

    /// <summary>Gets the <c>kind</c>.</summary>
    public string Kind { get; }

    /// <summary>Gets <c>metadata.name</c> (empty when absent).</summary>
    public string Name { get; }

    /// <summary>Gets <c>metadata.namespace</c> (empty when absent).</summary>
    public string Namespace { get; }

    /// <summary>Gets the identity of the object.</summary>
    public ResourceKey Key { get; }

    /// <summary>Gets where the object was read from (file, document index, line), when known.</summary>
    public ObjectOrigin? Origin { get; }

    /// <summary>Gets a value indicating whether the object is a core <c>Secret</c>, whose data must never be shown.</summary>
    public bool IsSecret => Group.Length == 0 && string.Equals(Kind, "Secret", StringComparison.Ordinal);

    /// <summary>Gets <c>metadata.labels</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Labels => _labels ??= ReadStringMap("labels");

    /// <summary>Gets <c>metadata.annotations</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Annotations => _annotations ??= ReadStringMap("annotations");

    /// <summary>
    /// Gets a stable hash of the object's canonical content (object keys sorted, insignificant whitespace removed):
    /// lowercase hex SHA-256. Equal for two objects whose JSON differs only in key order or formatting.
    /// </summary>
    public string ContentHash => _contentHash ??= ComputeContentHash(Json);

    /// <summary>Parses a Kubernetes object from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The JSON text. The memory must not change afterwards.</param>
    /// <param name="origin">Where the object came from, if known.</param>
    /// <returns>The object.</returns>
    /// <exception cref="FormatException">The text is not a JSON object with <c>apiVersion</c> and <c>kind</c>.</exception>
    public static KubeObject Parse(ReadOnlyMemory<byte> utf8Json, ObjectOrigin? origin = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The object is not valid JSON: {ex.Message}", ex);
        }

        return new KubeObject(utf8Json, document, origin);
    }

    /// <summary>Parses a Kubernetes object from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="origin">Where the object came from, if known.</param>
    /// <returns>The object.</returns>
    public static KubeObject Parse(string json, ObjectOrigin? origin = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json), origin);
    }

    /// <summary>Creates an object from a JSON element (the element is copied).</summary>
    /// <param name="element">A JSON object element.</param>
    /// <param name="origin">Where the object came from, if known.</param>
    /// <returns>The object.</returns>
    public static KubeObject FromElement(JsonElement element, ObjectOrigin? origin = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return Parse(buffer.WrittenMemory.ToArray(), origin);
    }

    /// <summary>Creates an object from a mutable JSON node (the node is serialized; later changes to it do not affect the object).</summary>
    /// <param name="node">A JSON object node.</param>
    /// <param name="origin">Where the object came from, if known.</param>
    /// <returns>The object.</returns>
    public static KubeObject FromNode(JsonObject node, ObjectOrigin? origin = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return Parse(buffer.WrittenMemory.ToArray(), origin);
    }

    /// <summary>Returns a mutable deep copy of the object as a <see cref="JsonObject"/>.</summary>
    /// <returns>A new node that the caller owns.</returns>
    public JsonObject ToJsonObject() => JsonNode.Parse(Utf8Json.Span)!.AsObject();

    /// <summary>Returns a changed copy: <paramref name="mutate"/> edits a deep copy, which becomes a new object with the same origin.</summary>
    /// <param name="mutate">The edit.</param>
    /// <returns>The changed copy.</returns>
    public KubeObject With(Action<JsonObject> mutate)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        var node = ToJsonObject();
        mutate(node);
        return FromNode(node, Origin);
    }

    /// <summary>Returns the same content with another origin.</summary>
    /// <param name="origin">The new origin.</param>
    /// <returns>The object with <paramref name="origin"/>.</returns>
    public KubeObject WithOrigin(ObjectOrigin? origin) => new(Utf8Json, _document, origin);

    /// <summary>Returns the value of a label, or <see langword="null"/>.</summary>
    /// <param name="name">The label name.</param>
    /// <returns>The value, or <see langword="null"/> when the label is absent.</returns>
    public string? GetLabel(string name) => Labels.TryGetValue(name, out var value) ? value : null;

    /// <summary>Returns the value of an annotation, or <see langword="null"/>.</summary>
    /// <param name="name">The annotation name.</param>
    /// <returns>The value, or <see langword="null"/> when the annotation is absent.</returns>
    public string? GetAnnotation(string name) => Annotations.TryGetValue(name, out var value) ? value : null;

    /// <summary>Returns the JSON text of the object. Callers must not print it for a Secret.</summary>
    /// <returns>The JSON text as given.</returns>
    public string ToJsonString() => System.Text.Encoding.UTF8.GetString(Utf8Json.Span);

    /// <summary>Returns the object's key; never its content.</summary>
    /// <returns>The <see cref="Key"/> in text form.</returns>
    public override string ToString() => Key.ToString();

    /// <inheritdoc />
    public bool Equals(KubeObject? other) =>
        other is not null && (ReferenceEquals(this, other) || string.Equals(ContentHash, other.ContentHash, StringComparison.Ordinal));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as KubeObject);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ContentHash);

    /// <summary>Writes <paramref name="element"/> in canonical form: object keys in ordinal order, no whitespace.</summary>
    /// <param name="element">The element to write.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteCanonical(JsonElement element, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = new List<JsonProperty>();
                foreach (var p in element.EnumerateObject())
                {
                    properties.Add(p);
                }

                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var p in properties)
                {
                    writer.WritePropertyName(p.Name);
                    WriteCanonical(p.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static string ComputeContentHash(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(element, writer);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static string? ReadString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private IReadOnlyDictionary<string, string> ReadStringMap(string property)
    {
        if (Metadata.ValueKind != JsonValueKind.Object
            || !Metadata.TryGetProperty(property, out var map)
            || map.ValueKind != JsonValueKind.Object)
        {
            return FrozenDictionary<string, string>.Empty;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in map.EnumerateObject())
        {
            result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

/// <summary>Where an object was read from.</summary>
/// <param name="File">The file path, relative to the artifact root where possible.</param>
/// <param name="DocumentIndex">The zero-based index of the YAML document in the file.</param>
/// <param name="Line">The one-based line where the document starts, or 0 when unknown.</param>
/// <param name="Column">The one-based column, or 0 when unknown.</param>
public sealed record ObjectOrigin(string File, int DocumentIndex, int Line = 0, int Column = 0)
{
    /// <summary>Returns <c>file#document (line:column)</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() =>
        Line > 0 ? $"{File}#{DocumentIndex} ({Line}:{Column})" : $"{File}#{DocumentIndex}";
}
