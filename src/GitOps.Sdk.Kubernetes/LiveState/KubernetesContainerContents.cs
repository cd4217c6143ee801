using System.Collections.Immutable;
using System.Text.Json;
using k8s;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Lists what a Namespace or a CustomResourceDefinition holds, straight from the API server (not the watch cache),
/// for the prune guards (<see cref="IContainerContents"/>).
/// </summary>
/// <remarks>
/// <para>A Namespace's contents are the objects of every listable namespaced resource that discovery reports, except
/// what the cluster makes and removes by itself: Events, objects with owner references (their owners are counted),
/// Endpoints named like a Service of the namespace, the <c>default</c> ServiceAccount and the
/// <c>kube-root-ca.crt</c> ConfigMap that controllers put into every namespace.</para>
/// <para>A CRD's contents are its custom resources in all namespaces, read through the CRD's storage (or first served) version.</para>
/// </remarks>
internal sealed class KubernetesContainerContents : IContainerContents
{
    private const int MaxObjects = 1000;
    private readonly KubeApiClient _client;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kubernetes">The client (a <see cref="k8s.Kubernetes"/>).</param>
    /// <param name="options">Retry settings.</param>
    /// <param name="timeProvider">The clock for backoff.</param>
    /// <param name="logger">The logger.</param>
    public KubernetesContainerContents(IKubernetes kubernetes, KubernetesTargetOptions? options = null, TimeProvider? timeProvider = null, ILogger<KubernetesContainerContents>? logger = null)
    {
        _client = new KubeApiClient(kubernetes, options ?? new KubernetesTargetOptions(), timeProvider, logger);
    }

    /// <inheritdoc />
    public async ValueTask<ContainedObjects> ListAsync(KubeObject container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(container);
        var key = container.Key;
        if (key.Group.Length == 0 && key.Kind == "Namespace")
        {
            return await ListNamespaceAsync(key.Name, cancellationToken).ConfigureAwait(false);
        }

        if (key.Group == "apiextensions.k8s.io" && key.Kind == "CustomResourceDefinition")
        {
            return await ListCustomResourcesAsync(container, cancellationToken).ConfigureAwait(false);
        }

        return new ContainedObjects([]);
    }

    private async Task<ContainedObjects> ListNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        var groupVersions = new List<string> { "v1" };
        var groups = await _client.GetAsync("apis", cancellationToken).ConfigureAwait(false);
        if (!groups.IsSuccess)
        {
            return new ContainedObjects([]) { Error = $"discovery of API groups failed: {groups.Describe()}" };
        }

        using (var doc = JsonDocument.Parse(groups.Body))
        {
            if (doc.RootElement.TryGetProperty("groups", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var g in list.EnumerateArray())
                {
                    if (g.TryGetProperty("preferredVersion", out var pv) && pv.TryGetProperty("groupVersion", out var gv) && gv.GetString() is { } text)
                    {
                        groupVersions.Add(text);
                    }
                }
            }
        }

        var found = new List<(ResourceKey Key, bool Owned)>();
        foreach (var groupVersion in groupVersions)
        {
            var path = groupVersion == "v1" ? "api/v1" : $"apis/{groupVersion}";
            var discovery = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (discovery.IsNotFound)
            {
                continue;
            }

            if (!discovery.IsSuccess)
            {
                return new ContainedObjects([]) { Error = $"discovery of {groupVersion} failed: {discovery.Describe()}" };
            }

            var group = groupVersion.Contains('/', StringComparison.Ordinal) ? groupVersion[..groupVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;
            foreach (var (resource, kind) in NamespacedListable(discovery.Body))
            {
                if (kind == "Event")
                {
                    continue;
                }

                var items = await _client.GetAsync($"{path}/namespaces/{Uri.EscapeDataString(ns)}/{resource}?limit={MaxObjects}", cancellationToken).ConfigureAwait(false);
                if (items.IsNotFound || items.StatusCode == System.Net.HttpStatusCode.MethodNotAllowed)
                {
                    continue;
                }

                if (!items.IsSuccess)
                {
                    return new ContainedObjects([]) { Error = $"listing {resource} in namespace {ns} failed: {items.Describe()}" };
                }

                foreach (var (name, owned) in Items(items.Body))
                {
                    found.Add((new ResourceKey(group, kind, ns, name), owned));
                }
            }
        }

        var services = found.Where(static f => f.Key.Group.Length == 0 && f.Key.Kind == "Service").Select(static f => f.Key.Name).ToHashSet(StringComparer.Ordinal);
        var result = found
            .Where(f => !f.Owned && !ClusterMade(f.Key, services))
            .Select(static f => f.Key)
            .Distinct()
            .Order()
            .ToImmutableArray();
        return new ContainedObjects(result);
    }

    private async Task<ContainedObjects> ListCustomResourcesAsync(KubeObject crd, CancellationToken cancellationToken)
    {
        string? group = null, plural = null, kind = null, version = null;
        if (crd.Json.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object)
        {
            group = spec.TryGetProperty("group", out var g) ? g.GetString() : null;
            if (spec.TryGetProperty("names", out var names) && names.ValueKind == JsonValueKind.Object)
            {
                plural = names.TryGetProperty("plural", out var p) ? p.GetString() : null;
                kind = names.TryGetProperty("kind", out var k) ? k.GetString() : null;
            }

            if (spec.TryGetProperty("versions", out var versions) && versions.ValueKind == JsonValueKind.Array)
            {
                foreach (var v in versions.EnumerateArray())
                {
                    var served = v.TryGetProperty("served", out var s) && s.ValueKind == JsonValueKind.True;
                    var storage = v.TryGetProperty("storage", out var st) && st.ValueKind == JsonValueKind.True;
                    if (served && (version is null || storage))
                    {
                        version = v.TryGetProperty("name", out var n) ? n.GetString() : null;
                    }
                }
            }
        }

        if (group is null || plural is null || kind is null)
        {
            return new ContainedObjects([]) { Error = $"{crd.Key} has no spec.group or spec.names; its custom resources cannot be listed" };
        }

        if (version is null)
        {
            // No served version: nothing can be read, and a real server keeps the stored objects. Refuse to guess.
            return new ContainedObjects([]) { Error = $"{crd.Key} serves no version; its custom resources cannot be listed" };
        }

        var response = await _client.GetAsync($"apis/{group}/{version}/{plural}?limit={MaxObjects}", cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound)
        {
            return new ContainedObjects([]);
        }

        if (!response.IsSuccess)
        {
            return new ContainedObjects([]) { Error = $"listing {plural}.{group} failed: {response.Describe()}" };
        }

        var builder = ImmutableArray.CreateBuilder<ResourceKey>();
        using var doc = JsonDocument.Parse(response.Body);
        if (doc.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (item.TryGetProperty("metadata", out var m) && m.TryGetProperty("name", out var name))
                {
                    var ns = m.TryGetProperty("namespace", out var n) ? n.GetString() ?? string.Empty : string.Empty;
                    builder.Add(new ResourceKey(group, kind, ns, name.GetString() ?? string.Empty));
                }
            }
        }

        builder.Sort();
        return new ContainedObjects(builder.ToImmutable());
    }

    private static bool ClusterMade(ResourceKey key, HashSet<string> services) =>
        key.Group.Length == 0 && (
            (key.Kind == "ServiceAccount" && key.Name == "default")
            || (key.Kind == "ConfigMap" && key.Name == "kube-root-ca.crt")
            || (key.Kind == "Endpoints" && services.Contains(key.Name)));

    private static List<(string Resource, string Kind)> NamespacedListable(byte[] body)
    {
        var result = new List<(string, string)>();
        using var doc = JsonDocument.Parse(body);
        if (!doc.RootElement.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var r in resources.EnumerateArray())
        {
            var name = r.TryGetProperty("name", out var n) ? n.GetString() : null;
            var kind = r.TryGetProperty("kind", out var k) ? k.GetString() : null;
            var namespaced = r.TryGetProperty("namespaced", out var ns) && ns.ValueKind == JsonValueKind.True;
            var listable = r.TryGetProperty("verbs", out var verbs) && verbs.ValueKind == JsonValueKind.Array
                && verbs.EnumerateArray().Any(static v => v.ValueEquals("list"));
            if (name is null || kind is null || !namespaced || !listable || name.Contains('/', StringComparison.Ordinal))
            {
                continue;
            }

            result.Add((name, kind));
        }

        return result;
    }

    private static List<(string Name, bool Owned)> Items(byte[] body)
    {
        var result = new List<(string, bool)>();
        using var doc = JsonDocument.Parse(body);
        if (!doc.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var item in items.EnumerateArray())
        {
            if (!item.TryGetProperty("metadata", out var m) || !m.TryGetProperty("name", out var name) || name.GetString() is not { } text)
            {
                continue;
            }

            var owned = m.TryGetProperty("ownerReferences", out var refs) && refs.ValueKind == JsonValueKind.Array && refs.GetArrayLength() > 0;
            result.Add((text, owned));
        }

        return result;
    }
}
