using System.Text.Json.Nodes;
using Google.Protobuf;

namespace GitOps.Sdk.Testing.Emulator.Protobuf;

/// <summary>
/// Request bodies in <c>application/vnd.kubernetes.protobuf</c>, what kubectl and other client-go programs send for
/// built-in kinds: the 4-byte magic <c>k8s\0</c>, then a <c>runtime.Unknown</c> (typeMeta, raw, contentEncoding,
/// contentType) whose <c>raw</c> is the object's message. Decoded into the JSON object the rest of the emulator handles.
/// </summary>
internal static class KubeProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>Whether a request's content type (without parameters) is the Kubernetes protobuf one.</summary>
    public static bool IsProtobuf(string mediaType) => string.Equals(mediaType, MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Decodes a body sent to the endpoint of <paramref name="type"/> into its JSON form, kind and apiVersion first.</summary>
    /// <exception cref="ApiException">415 for a kind the emulator has no message type for; 400 for a body that does not decode.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body, ResourceType type)
    {
        if (type.IsCustom)
        {
            // As a real server: custom resources are served as JSON and YAML only.
            throw Unsupported("application/json, application/yaml");
        }

        return Decode(body, type.Kind, type.ApiVersion);
    }

    /// <summary>Decodes the <c>DeleteOptions</c> body of a DELETE.</summary>
    public static JsonObject DecodeDeleteOptions(ReadOnlySpan<byte> body) => Decode(body, "DeleteOptions", "meta.k8s.io/v1");

    private static JsonObject Decode(ReadOnlySpan<byte> body, string endpointKind, string endpointApiVersion)
    {
        var schema = KubeProtobufSchema.Instance;
        if (body.IsEmpty)
        {
            throw Unrecognized(endpointKind, null, "empty data", body);
        }

        if (body.Length < Magic.Length || !body[..Magic.Length].SequenceEqual(Magic))
        {
            throw Unrecognized(endpointKind, null, "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]", body);
        }

        if (body.Length == Magic.Length)
        {
            throw Unrecognized(endpointKind, null, "empty body", body);
        }

        var unknownType = schema.Message("k8s.io.apimachinery.pkg.runtime.Unknown")!;
        string apiVersion;
        string kind;
        ReadOnlyMemory<byte> raw;
        try
        {
            var unknown = ProtobufJson.Message(schema, unknownType, body[Magic.Length..]);
            apiVersion = (string?)unknown["typeMeta"]?["apiVersion"] ?? string.Empty;
            kind = (string?)unknown["typeMeta"]?["kind"] ?? string.Empty;
            raw = unknown["raw"] is JsonValue r ? Convert.FromBase64String((string)r!) : ReadOnlyMemory<byte>.Empty;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ProtobufDecodeException)
        {
            throw Unrecognized(endpointKind, null, e.Message, body);
        }

        // A missing kind or version is taken from the endpoint, as the server's decoder does.
        if (kind.Length == 0)
        {
            kind = endpointKind;
        }

        if (apiVersion.Length == 0)
        {
            apiVersion = endpointApiVersion;
        }

        var slash = apiVersion.LastIndexOf('/');
        var group = slash < 0 ? string.Empty : apiVersion[..slash];
        var version = apiVersion[(slash + 1)..];
        var message = schema.ForKind(group, version, kind)
            ?? throw new ApiException(415, StatusErrors.Status(415, "UnsupportedMediaType",
                $"the emulator cannot decode {MediaType} bodies of {(group.Length == 0 ? "core" : group)}/{version}, Kind={kind} - accepted media types include: application/json, application/yaml",
                null));
        try
        {
            var decoded = ProtobufJson.Message(schema, message, raw.Span);
            var result = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
            foreach (var (name, value) in decoded.ToList())
            {
                decoded.Remove(name);
                result[name] = value;
            }

            // Re-read as text so the emulator holds the same kind of nodes as for a JSON body (values backed by JSON, not CLR numbers).
            return JsonNode.Parse(result.ToJsonString(JsonValues.Wire))!.AsObject();
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ProtobufDecodeException)
        {
            throw Unrecognized(endpointKind, (kind, version), e.Message, body);
        }
    }

    private static ApiException Unsupported(string accepted) =>
        new(415, StatusErrors.Status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: " + accepted, null));

    /// <summary>The server's wording for a body that does not decode into the endpoint's kind.</summary>
    private static ApiException Unrecognized(string endpointKind, (string Kind, string Version)? sent, string error, ReadOnlySpan<byte> body)
    {
        if (sent is var (kind, version))
        {
            return StatusErrors.BadRequest($"{kind} in version \"{version}\" cannot be handled as a {endpointKind}: {error}");
        }

        var summary = body.IsEmpty ? "<empty>" : Convert.ToHexStringLower(body[..Math.Min(body.Length, 30)]) + (body.Length > 30 ? " ..." : string.Empty);
        return StatusErrors.BadRequest($"the object provided is unrecognized (must be of type {endpointKind}): {error} ({summary})");
    }
}
