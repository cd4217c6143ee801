using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The namespace lifecycle: the built-in namespaces, refusing new content in a missing or terminating namespace, and the namespace controller that empties a terminating one before it goes.</summary>
internal sealed class NamespaceController
{
    private readonly EmulatorCore _core;

    public NamespaceController(EmulatorCore core) => _core = core;

    private ResourceType NamespaceType => _core.Registry.Find(string.Empty, "v1", "namespaces")!;

    /// <summary>Creates the namespaces every cluster has.</summary>
    public void Bootstrap()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            if (_core.Store.Get(NamespaceType.StorageKey, string.Empty, ns) is null)
            {
                _core.Write(new WriteRequest
                {
                    Type = NamespaceType,
                    Kind = WriteKind.Create,
                    Body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } },
                    Manager = "kube-apiserver",
                });
            }
        }
    }

    /// <summary>Throws unless a namespaced object may be created in <paramref name="ns"/> (it exists and is not terminating).</summary>
    public void CheckWritable(ResourceType type, string ns, string name)
    {
        if (!type.Namespaced)
        {
            return;
        }

        var nsObj = _core.Store.Get(NamespaceType.StorageKey, string.Empty, ns) ?? throw StatusErrors.NamespaceNotFound(ns);
        if (nsObj.Node["metadata"]?["deletionTimestamp"] is not null)
        {
            throw StatusErrors.Forbidden(type, name, $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    /// <summary>The namespace controller: deletes what a terminating namespace holds, then the namespace itself.</summary>
    public bool FinishTermination(string ns)
    {
        var nsType = NamespaceType;
        foreach (var type in _core.Registry.All.Where(t => t.Namespaced).GroupBy(t => t.StorageKey).Select(g => g.First()).ToList())
        {
            foreach (var o in _core.Store.AllOf(type.StorageKey).Where(o => o.Namespace == ns).ToList())
            {
                try
                {
                    if (o.Node["metadata"]?["deletionTimestamp"] is null)
                    {
                        _core.Delete(type, ns, o.Name, "Background", null, null, false);
                    }
                }
                catch (ApiException)
                {
                    // Already gone.
                }
            }
        }

        lock (_core.Store.Gate)
        {
            foreach (var key in _core.Store.StorageKeys)
            {
                var type = _core.Registry.All.FirstOrDefault(t => t.StorageKey == key);
                if (type is { Namespaced: true } && _core.Store.AllOf(key).Any(o => o.Namespace == ns))
                {
                    return false;
                }
            }

            var live = _core.Store.Get(nsType.StorageKey, string.Empty, ns);
            if (live is null)
            {
                return true;
            }

            var node = live.CloneNode();
            if (node["spec"] is JsonObject spec)
            {
                spec["finalizers"] = new JsonArray();
            }

            if (node["metadata"]?["finalizers"] is JsonArray { Count: > 0 })
            {
                return false;
            }

            var rv = _core.Store.NextResourceVersion();
            ManagedFields.Meta(node)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            _core.Store.RemoveLocked(nsType.StorageKey, new StoredObject(node, rv));
            return true;
        }
    }
}
