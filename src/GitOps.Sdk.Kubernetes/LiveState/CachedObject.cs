using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.Kubernetes;

/// <summary>One cached object: raw JSON bytes, its 64-bit content hash and the fields needed to index it.</summary>
internal sealed class CachedObject
{
    private CachedObject(byte[] json, ulong hash, ResourceKey key, string resourceVersion)
    {
        Json = json;
        Hash = hash;
        Key = key;
        ResourceVersion = resourceVersion;
    }

    public byte[] Json { get; }

    public ulong Hash { get; }

    public ResourceKey Key { get; }

    public string Namespace => Key.Namespace;

    public string Name => Key.Name;

    public string ResourceVersion { get; }

    public KubeObject ToKubeObject() => KubeObject.Parse(Json);

    /// <summary>Copies an object element's raw bytes; list items lack apiVersion and kind, so those are added.</summary>
    public static CachedObject FromElement(JsonElement element, RestMapping mapping)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        byte[] json;
        if (element.TryGetProperty("kind", out _) && element.TryGetProperty("apiVersion", out _))
        {
            json = raw.ToArray();
        }
        else
        {
            var prefix = Encoding.UTF8.GetBytes($"{{\"apiVersion\":{JsonSerializer.Serialize(mapping.ApiVersion)},\"kind\":{JsonSerializer.Serialize(mapping.Kind)}");
            var rest = raw[1..].TrimStart(" \r\n\t"u8);
            json = new byte[prefix.Length + 1 + rest.Length];
            prefix.CopyTo(json, 0);
            var offset = prefix.Length;
            if (rest.Length > 0 && rest[0] != (byte)'}')
            {
                json[offset++] = (byte)',';
            }
            else
            {
                json = json[..^1];
            }

            rest.CopyTo(json.AsSpan(offset));
        }

        var meta = element.TryGetProperty("metadata", out var m) ? m : default;
        var ns = mapping.Namespaced ? Informer.ReadString(meta, "namespace") ?? string.Empty : string.Empty;
        var name = Informer.ReadString(meta, "name") ?? string.Empty;
        var rv = Informer.ReadString(meta, "resourceVersion") ?? string.Empty;
        return new CachedObject(json, XxHash3.HashToUInt64(json), new ResourceKey(mapping.Group, mapping.Kind, ns, name), rv);
    }
}
