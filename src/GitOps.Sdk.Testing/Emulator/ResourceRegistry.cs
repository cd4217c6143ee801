using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>One served resource (a group/version/plural), as discovery describes it.</summary>
internal sealed class ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Kind { get; init; }

    public required bool Namespaced { get; init; }

    public string Singular => Kind.ToLowerInvariant();

    public string ListKind => Kind + "List";

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>Storage key shared by every version of a resource (objects are stored once per group/plural).</summary>
    public string StorageKey => Group + "/" + Plural;

    public bool HasStatus { get; init; }

    public bool IsCustom { get; init; }

    public SchemaNode Schema { get; set; } = SchemaNode.Untyped;

    public JsonArray? PrinterColumns { get; set; }
}

/// <summary>
/// The served API: built-in resources from the recorded discovery documents (embedded), plus custom resources
/// registered when a CustomResourceDefinition is created.
/// </summary>
internal sealed class ResourceRegistry
{
    private readonly ConcurrentDictionary<string, ResourceType> _byPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResourceType> _byKind = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _builtinGroupVersions = new(StringComparer.Ordinal);
    private readonly JsonObject _apiGroupList;
    private readonly ConcurrentDictionary<string, CustomGroup> _custom = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private sealed class CustomGroup
    {
        public Dictionary<string, List<JsonObject>> ResourcesByVersion { get; } = new(StringComparer.Ordinal);

        public List<string> Versions { get; } = [];
    }

    public ResourceRegistry()
    {
        var coreV1 = Load("api-v1.json");
        _builtinGroupVersions["v1"] = coreV1;
        AddResources(string.Empty, "v1", coreV1);
        ApiVersions = Load("api.json");
        var groups = Load("apis.json");
        var kept = new JsonArray();
        foreach (var group in groups["groups"]!.AsArray().OfType<JsonObject>())
        {
            var name = (string)group["name"]!;
            var allKnown = true;
            foreach (var v in group["versions"]!.AsArray().OfType<JsonObject>())
            {
                var gv = (string)v["groupVersion"]!;
                var doc = TryLoad("apis-" + gv.Replace('/', '-') + ".json") ?? SyntheticBuiltins.For(gv);
                if (doc is null)
                {
                    allKnown = false;
                    break;
                }

                _builtinGroupVersions[gv] = doc;
                AddResources(name, (string)v["version"]!, doc);
            }

            if (allKnown)
            {
                kept.Add(group.DeepClone());
            }
        }

        _apiGroupList = new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = kept };
    }

    public JsonObject ApiVersions { get; }

    public JsonObject ApiGroupList()
    {
        lock (_gate)
        {
            var doc = (JsonObject)_apiGroupList.DeepClone();
            var groups = doc["groups"]!.AsArray();
            foreach (var (name, group) in _custom.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                if (group.Versions.Count == 0)
                {
                    continue;
                }

                var versions = new JsonArray();
                foreach (var v in group.Versions)
                {
                    versions.Add(new JsonObject { ["groupVersion"] = name + "/" + v, ["version"] = v });
                }

                groups.Add(new JsonObject
                {
                    ["name"] = name,
                    ["versions"] = versions,
                    ["preferredVersion"] = versions[0]!.DeepClone(),
                });
            }

            return doc;
        }
    }

    public JsonObject? ApiGroup(string group)
    {
        var list = ApiGroupList();
        var g = list["groups"]!.AsArray().OfType<JsonObject>().FirstOrDefault(x => (string?)x["name"] == group);
        if (g is null)
        {
            return null;
        }

        var copy = (JsonObject)g.DeepClone();
        var result = new JsonObject { ["kind"] = "APIGroup", ["apiVersion"] = "v1" };
        foreach (var (k, v) in copy)
        {
            result[k] = v?.DeepClone();
        }

        return result;
    }

    public JsonObject? ResourceList(string groupVersion)
    {
        if (_builtinGroupVersions.TryGetValue(groupVersion, out var doc))
        {
            return (JsonObject)doc.DeepClone();
        }

        lock (_gate)
        {
            var slash = groupVersion.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !_custom.TryGetValue(groupVersion[..slash], out var group)
                || !group.ResourcesByVersion.TryGetValue(groupVersion[(slash + 1)..], out var resources) || resources.Count == 0)
            {
                return null;
            }

            var array = new JsonArray();
            foreach (var r in resources)
            {
                array.Add(r.DeepClone());
            }

            return new JsonObject
            {
                ["kind"] = "APIResourceList",
                ["apiVersion"] = "v1",
                ["groupVersion"] = groupVersion,
                ["resources"] = array,
            };
        }
    }

    /// <summary>Whether a group version is one of the built-in (recorded) ones rather than served for CRDs.</summary>
    public bool IsBuiltin(string groupVersion) => _builtinGroupVersions.ContainsKey(groupVersion);

    public ResourceType? Find(string group, string version, string plural) =>
        _byPath.TryGetValue(group + "/" + version + "/" + plural, out var t) ? t : null;

    public ResourceType? FindByKind(string apiVersion, string kind) =>
        _byKind.TryGetValue(apiVersion + "/" + kind, out var t) ? t : null;

    public IEnumerable<ResourceType> All => _byPath.Values;

    /// <summary>Registers (or replaces) the resources a CRD serves.</summary>
    public List<ResourceType> RegisterCrd(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var group = (string?)spec?["group"] ?? string.Empty;
        var names = spec?["names"] as JsonObject;
        var plural = (string?)names?["plural"] ?? string.Empty;
        var kind = (string?)names?["kind"] ?? string.Empty;
        var singular = (string?)names?["singular"] ?? kind.ToLowerInvariant();
        var namespaced = (string?)spec?["scope"] != "Cluster";
        var added = new List<ResourceType>();
        lock (_gate)
        {
            UnregisterCrdLocked(group, plural);
            var customGroup = _custom.GetOrAdd(group, _ => new CustomGroup());
            foreach (var version in (spec?["versions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (JsonValues.IsFalse(version["served"]))
                {
                    continue;
                }

                var v = (string)version["name"]!;
                var hasStatus = version["subresources"]?["status"] is not null;
                var type = new ResourceType
                {
                    Group = group,
                    Version = v,
                    Plural = plural,
                    Kind = kind,
                    Namespaced = namespaced,
                    HasStatus = hasStatus,
                    IsCustom = true,
                    Schema = CrdSchemas.FromOpenApi(version["schema"]?["openAPIV3Schema"] as JsonObject),
                    PrinterColumns = version["additionalPrinterColumns"] as JsonArray,
                };
                _byPath[group + "/" + v + "/" + plural] = type;
                _byKind[type.ApiVersion + "/" + kind] = type;
                added.Add(type);
                if (!customGroup.Versions.Contains(v))
                {
                    customGroup.Versions.Add(v);
                }

                if (!customGroup.ResourcesByVersion.TryGetValue(v, out var list))
                {
                    list = [];
                    customGroup.ResourcesByVersion[v] = list;
                }

                var resource = new JsonObject
                {
                    ["name"] = plural,
                    ["singularName"] = singular,
                    ["namespaced"] = namespaced,
                    ["kind"] = kind,
                    ["verbs"] = new JsonArray("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"),
                };
                if (names?["shortNames"] is JsonArray shortNames && shortNames.Count > 0)
                {
                    resource["shortNames"] = shortNames.DeepClone();
                }

                if (names?["categories"] is JsonArray categories && categories.Count > 0)
                {
                    resource["categories"] = categories.DeepClone();
                }

                resource["storageVersionHash"] = StorageVersionHash(group, v, kind);
                list.Add(resource);
                if (hasStatus)
                {
                    list.Add(new JsonObject
                    {
                        ["name"] = plural + "/status",
                        ["singularName"] = string.Empty,
                        ["namespaced"] = namespaced,
                        ["kind"] = kind,
                        ["verbs"] = new JsonArray("get", "patch", "update"),
                    });
                }
            }

            customGroup.Versions.Sort(KubeVersionComparer.Instance);
        }

        return added;
    }

    public void UnregisterCrd(JsonObject crd)
    {
        var group = (string?)crd["spec"]?["group"] ?? string.Empty;
        var plural = (string?)crd["spec"]?["names"]?["plural"] ?? string.Empty;
        lock (_gate)
        {
            UnregisterCrdLocked(group, plural);
        }
    }

    private void UnregisterCrdLocked(string group, string plural)
    {
        foreach (var key in _byPath.Where(kv => kv.Value.IsCustom && kv.Value.Group == group && kv.Value.Plural == plural).Select(kv => kv.Key).ToList())
        {
            if (_byPath.TryRemove(key, out var t))
            {
                _byKind.TryRemove(t.ApiVersion + "/" + t.Kind, out _);
            }
        }

        if (_custom.TryGetValue(group, out var g))
        {
            foreach (var (v, list) in g.ResourcesByVersion)
            {
                list.RemoveAll(r => ((string?)r["name"])?.Split('/')[0] == plural);
            }

            g.Versions.RemoveAll(v => g.ResourcesByVersion.TryGetValue(v, out var l) && l.Count == 0);
            if (g.Versions.Count == 0)
            {
                _custom.TryRemove(group, out _);
            }
        }
    }

    public static string StorageVersionHash(string group, string version, string kind)
    {
        var gvk = (group.Length == 0 ? "core" : group) + "/" + version + "/" + kind;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(gvk));
        return Convert.ToBase64String(hash, 0, 8);
    }

    private void AddResources(string group, string version, JsonObject doc)
    {
        var resources = doc["resources"]!.AsArray().OfType<JsonObject>().ToList();
        var statusOf = resources.Select(r => (string)r["name"]!).Where(n => n.EndsWith("/status", StringComparison.Ordinal)).Select(n => n[..^7]).ToHashSet(StringComparer.Ordinal);
        foreach (var r in resources)
        {
            var name = (string)r["name"]!;
            if (name.Contains('/', StringComparison.Ordinal))
            {
                continue;
            }

            var kind = (string)r["kind"]!;
            var type = new ResourceType
            {
                Group = group,
                Version = version,
                Plural = name,
                Kind = kind,
                Namespaced = r["namespaced"]!.GetValue<bool>(),
                HasStatus = statusOf.Contains(name),
                Schema = BuiltinSchemas.Find(group, kind) ?? SchemaNode.Struct(("metadata", BuiltinSchemas.ObjectMeta)),
            };
            _byPath[group + "/" + version + "/" + name] = type;
            _byKind.TryAdd(type.ApiVersion + "/" + kind, type);
        }
    }

    private static JsonObject Load(string name) =>
        TryLoad(name) ?? throw new InvalidOperationException("Embedded discovery document missing: " + name);

    private static JsonObject? TryLoad(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Discovery." + name);
        return stream is null ? null : JsonNode.Parse(stream)!.AsObject();
    }
}

/// <summary>Orders Kubernetes API versions by priority: GA over beta over alpha, higher numbers first.</summary>
internal sealed class KubeVersionComparer : IComparer<string>
{
    public static readonly KubeVersionComparer Instance = new();

    public int Compare(string? x, string? y) => Rank(y ?? string.Empty).CompareTo(Rank(x ?? string.Empty)) is var c && c != 0 ? c : string.CompareOrdinal(x, y);

    private static (int Level, int Major, int Minor) Rank(string v)
    {
        var m = System.Text.RegularExpressions.Regex.Match(v, "^v(\\d+)(?:(alpha|beta)(\\d+))?$");
        if (!m.Success)
        {
            return (0, 0, 0);
        }

        var level = m.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        return (level, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups[3].Success && m.Groups[3].Value.Length > 0 ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }
}
