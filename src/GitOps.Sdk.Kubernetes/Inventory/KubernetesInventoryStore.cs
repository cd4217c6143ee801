using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Stores each application's inventory in the cluster: one ConfigMap (or Secret, see
/// <see cref="KubernetesTargetOptions.InventoryKind"/>) named <c>gitops-inventory-&lt;application&gt;</c> in
/// <see cref="KubernetesTargetOptions.InventoryNamespace"/>, created with its namespace when missing.
/// </summary>
/// <remarks>
/// The data holds <c>application</c>, <c>revision</c> and <c>entries</c> (a JSON array of
/// <c>{"key":"group/Kind/namespace/name","apiVersion":"…","appliedHash":"…"}</c>). Writes are server-side applies with
/// force, so the store never fights another writer over its own object. For crash safety, the reconciler saves the
/// union of the previous inventory and the new desired set before applying and the final set afterwards
/// (<see cref="InventoryUpdates"/>): a crash in between never loses track of an object.
/// </remarks>
public sealed class KubernetesInventoryStore : IInventoryStore
{
    private readonly KubeApiClient _client;
    private volatile bool _namespaceReady;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kubernetes">The client (a <see cref="k8s.Kubernetes"/>).</param>
    /// <param name="options">Namespace, kind, field manager and retry settings.</param>
    /// <param name="timeProvider">The clock for backoff.</param>
    /// <param name="logger">The logger.</param>
    public KubernetesInventoryStore(IKubernetes kubernetes, KubernetesTargetOptions? options = null, TimeProvider? timeProvider = null, ILogger<KubernetesInventoryStore>? logger = null)
    {
        _client = new KubeApiClient(kubernetes, options ?? new KubernetesTargetOptions(), timeProvider, logger);
    }

    /// <summary>Returns the name of the object holding <paramref name="application"/>'s inventory.</summary>
    /// <param name="application">The application.</param>
    /// <returns>A valid object name: <c>gitops-inventory-</c> and the application in DNS-label form (with a hash suffix when that form had to change it).</returns>
    public static string ObjectName(string application)
    {
        ArgumentException.ThrowIfNullOrEmpty(application);
        var sb = new StringBuilder("gitops-inventory-");
        foreach (var c in application.ToLowerInvariant())
        {
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' ? c : '-');
        }

        var name = sb.ToString().TrimEnd('-', '.');
        if (!string.Equals(name, "gitops-inventory-" + application, StringComparison.Ordinal) || name.Length > 240)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(application)))[..10];
            name = (name.Length > 228 ? name[..228] : name) + "-" + hash;
        }

        return name;
    }

    /// <inheritdoc />
    public async ValueTask<Inventory?> GetAsync(string application, CancellationToken cancellationToken)
    {
        var response = await _client.GetAsync(ObjectPath(application), cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound)
        {
            return null;
        }

        if (!response.IsSuccess)
        {
            throw new KubernetesApiException($"reading the inventory of application '{application}' failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }

        using var doc = JsonDocument.Parse(response.Body);
        if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return new Inventory { Application = application };
        }

        var revision = ReadData(data, "revision");
        var entriesText = ReadData(data, "entries");
        var entries = ImmutableArray.CreateBuilder<InventoryEntry>();
        if (!string.IsNullOrEmpty(entriesText))
        {
            using var entriesDoc = JsonDocument.Parse(entriesText);
            foreach (var e in entriesDoc.RootElement.EnumerateArray())
            {
                if (ResourceKey.TryParse(e.GetProperty("key").GetString(), out var key))
                {
                    entries.Add(new InventoryEntry(key, e.GetProperty("apiVersion").GetString() ?? "v1")
                    {
                        AppliedHash = e.TryGetProperty("appliedHash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null,
                    });
                }
            }
        }

        return new Inventory { Application = application, Revision = string.IsNullOrEmpty(revision) ? null : revision, Entries = InventoryUpdates.Sort(entries) };
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(Inventory inventory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var entries = new JsonArray();
        foreach (var e in InventoryUpdates.Sort(inventory.Entries))
        {
            var item = new JsonObject { ["key"] = e.Key.ToString(), ["apiVersion"] = e.ApiVersion };
            if (e.AppliedHash is not null)
            {
                item["appliedHash"] = e.AppliedHash;
            }

            entries.Add(item);
        }

        var values = new Dictionary<string, string>
        {
            ["application"] = inventory.Application,
            ["revision"] = inventory.Revision ?? string.Empty,
            ["entries"] = entries.ToJsonString(),
        };
        var secret = _client.Options.InventoryKind == InventoryObjectKind.Secret;
        var data = new JsonObject();
        foreach (var (k, v) in values)
        {
            data[k] = secret ? Convert.ToBase64String(Encoding.UTF8.GetBytes(v)) : v;
        }

        var name = ObjectName(inventory.Application);
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = secret ? "Secret" : "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = _client.Options.InventoryNamespace,
                ["labels"] = new JsonObject
                {
                    ["app.kubernetes.io/managed-by"] = "gitops-sdk",
                    ["gitops.sdk.io/inventory"] = "true",
                },
                ["annotations"] = new JsonObject { ["gitops.sdk.io/inventory-of"] = inventory.Application },
            },
            ["data"] = data,
        };
        if (secret)
        {
            body["type"] = "Opaque";
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var response = await ApplyAsync(ObjectPath(inventory.Application), bytes, cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound && !_namespaceReady)
        {
            await EnsureNamespaceAsync(cancellationToken).ConfigureAwait(false);
            response = await ApplyAsync(ObjectPath(inventory.Application), bytes, cancellationToken).ConfigureAwait(false);
        }

        if (!response.IsSuccess)
        {
            throw new KubernetesApiException($"saving the inventory of application '{inventory.Application}' failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }

        Log.InventorySaved(_client.Logger, inventory.Application, _client.Options.InventoryNamespace, name, inventory.Entries.Length);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(string application, CancellationToken cancellationToken)
    {
        var response = await _client.SendAsync(HttpMethod.Delete, ObjectPath(application), null, null, retry: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess && !response.IsNotFound)
        {
            throw new KubernetesApiException($"deleting the inventory of application '{application}' failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }
    }

    private Task<KubeResponse> ApplyAsync(string path, byte[] body, CancellationToken cancellationToken) =>
        _client.SendAsync(
            HttpMethod.Patch,
            $"{path}?fieldManager={Uri.EscapeDataString(_client.Options.FieldManager)}&force=true",
            body,
            KubeApiClient.ApplyPatchContentType,
            retry: true,
            cancellationToken);

    private async Task EnsureNamespaceAsync(CancellationToken cancellationToken)
    {
        var ns = _client.Options.InventoryNamespace;
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = ns },
        };
        var response = await _client.SendAsync(
            HttpMethod.Patch,
            $"api/v1/namespaces/{Uri.EscapeDataString(ns)}?fieldManager={Uri.EscapeDataString(_client.Options.FieldManager)}&force=true",
            Encoding.UTF8.GetBytes(body.ToJsonString()),
            KubeApiClient.ApplyPatchContentType,
            retry: true,
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw new KubernetesApiException($"creating the inventory namespace {ns} failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }

        _namespaceReady = true;
    }

    private string ObjectPath(string application)
    {
        var resource = _client.Options.InventoryKind == InventoryObjectKind.Secret ? "secrets" : "configmaps";
        return $"api/v1/namespaces/{Uri.EscapeDataString(_client.Options.InventoryNamespace)}/{resource}/{Uri.EscapeDataString(ObjectName(application))}";
    }

    private string? ReadData(JsonElement data, string key)
    {
        if (!data.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = v.GetString()!;
        return _client.Options.InventoryKind == InventoryObjectKind.Secret ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : text;
    }
}
