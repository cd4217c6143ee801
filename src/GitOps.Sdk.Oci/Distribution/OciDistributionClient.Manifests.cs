using System.Text.Json;

namespace GitOps.Sdk.Oci.Distribution;

/// <content>Parsing of manifests and indexes into descriptors, refusing invalid digests and sizes.</content>
public sealed partial class OciDistributionClient
{
    private static OciManifest ParseManifest(byte[] bytes, string digest, string? contentType, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Integrity($"{what}: the manifest is not a JSON object");
            }

            var mediaType = root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
            var manifests = ReadDescriptors(root, "manifests", what);
            var layers = ReadDescriptors(root, "layers", what);
            var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? ReadDescriptor(c, what) : null;

            // Helm leaves mediaType out of the manifests it pushes; infer it from the content type, then the shape.
            mediaType ??= contentType is OciMediaTypes.ImageManifest or OciMediaTypes.ImageIndex or OciMediaTypes.DockerManifest or OciMediaTypes.DockerManifestList
                ? contentType
                : root.TryGetProperty("manifests", out _) ? OciMediaTypes.ImageIndex : OciMediaTypes.ImageManifest;

            return new OciManifest
            {
                Descriptor = new OciDescriptor(mediaType, digest, bytes.Length),
                Config = config,
                Layers = layers,
                Manifests = manifests,
                Annotations = ReadAnnotations(root),
                Content = bytes,
            };
        }
        catch (JsonException ex)
        {
            throw new SourceException($"{what}: the manifest is not valid JSON: {ex.Message}", ex) { Kind = SourceErrorKind.Integrity };
        }
    }

    private static List<OciDescriptor> ReadDescriptors(JsonElement root, string property, string what)
    {
        var list = new List<OciDescriptor>();
        if (root.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                list.Add(ReadDescriptor(item, what));
            }
        }

        return list;
    }

    private static OciDescriptor ReadDescriptor(JsonElement element, string what)
    {
        var mediaType = element.TryGetProperty("mediaType", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? string.Empty : string.Empty;
        var digest = element.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (!IsValidDigest(digest))
        {
            throw Integrity($"{what}: a descriptor has an invalid digest '{digest}'");
        }

        if (!element.TryGetProperty("size", out var s) || !s.TryGetInt64(out var size) || size < 0)
        {
            throw Integrity($"{what}: descriptor {digest} has no valid size");
        }

        return new OciDescriptor(mediaType, digest!, size)
        {
            Annotations = ReadAnnotations(element),
            ArtifactType = element.TryGetProperty("artifactType", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null,
        };
    }

    private static Dictionary<string, string> ReadAnnotations(JsonElement element)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in annotations.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    result[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return result;
    }
}
