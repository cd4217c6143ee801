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
/// <c>{"key":"group/Kind/namespace/name","apiVersion":"…","appliedHash":"…"}</c>), <c>owner</c> when the application
/// has one (<see cref="Inventory.Owner"/>) and <c>checksum</c> (SHA-256 over the others; a mismatch or unreadable data is an <see cref="InventoryCorruptedException"/>, never a guess). Writes use
/// optimistic concurrency: an update carries the resourceVersion this store last read or wrote, so a write based on a
/// stale read fails with 409 Conflict instead of overwriting another writer's inventory. For crash safety, the reconciler saves the
/// union of the previous inventory and the new desired set before applying and the final set afterwards
/// (the engine's pending-then-completed protocol): a crash in between never loses track of an object.
/// </remarks>
public sealed class KubernetesInventoryStore : IInventoryStore
{
    private readonly KubeApiClient _client;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _versions = new(StringComparer.Ordinal);
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
            _versions.TryRemove(application, out _);
            return null;
        }

        if (!response.IsSuccess)
        {
            throw new KubernetesApiException($"reading the inventory of application '{application}' failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }

        var location = $"{(_client.Options.InventoryKind == InventoryObjectKind.Secret ? "Secret" : "ConfigMap")} {_client.Options.InventoryNamespace}/{ObjectName(application)}";
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            if (doc.RootElement.TryGetProperty("metadata", out var metadata)
                && metadata.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == JsonValueKind.String)
            {
                _versions[application] = rv.GetString()!;
            }

            if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                throw new InventoryCorruptedException(application, location, "it has no data");
            }

            var revision = ReadData(data, "revision");
            var entriesText = ReadData(data, "entries");
            var checksum = ReadData(data, "checksum");
            var storedApplication = ReadData(data, "application");
            var owner = ReadData(data, "owner");
            if (checksum is not null && !string.Equals(checksum, Checksum(storedApplication ?? string.Empty, revision ?? string.Empty, entriesText ?? string.Empty, owner), StringComparison.Ordinal))
            {
                throw new InventoryCorruptedException(application, location, "its checksum does not match its content (it was changed outside the engine)");
            }

            if (storedApplication is not null && !string.Equals(storedApplication, application, StringComparison.Ordinal))
            {
                throw new InventoryCorruptedException(application, location, $"it names application '{storedApplication}'");
            }

            var entries = ImmutableArray.CreateBuilder<InventoryEntry>();
            if (!string.IsNullOrEmpty(entriesText))
            {
                using var entriesDoc = JsonDocument.Parse(entriesText);
                foreach (var e in entriesDoc.RootElement.EnumerateArray())
                {
                    var keyText = e.GetProperty("key").GetString();
                    if (!ResourceKey.TryParse(keyText, out var key))
                    {
                        throw new InventoryCorruptedException(application, location, $"entry '{keyText}' is not an object key");
                    }

                    entries.Add(new InventoryEntry(key, e.GetProperty("apiVersion").GetString() ?? "v1")
                    {
                        AppliedHash = e.TryGetProperty("appliedHash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null,
                    });
                }
            }

            return new Inventory { Application = application, Revision = string.IsNullOrEmpty(revision) ? null : revision, Owner = string.IsNullOrEmpty(owner) ? null : owner, Entries = Inventory.SortByKey(entries) };
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InventoryCorruptedException(application, location, $"its data cannot be read ({ex.Message})", ex);
        }
    }

    /// <summary>Lists the applications whose inventory this store holds (the objects labelled <c>gitops.sdk.io/inventory=true</c> in the inventory namespace).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The application names, sorted.</returns>
    public async ValueTask<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken)
    {
        var resource = _client.Options.InventoryKind == InventoryObjectKind.Secret ? "secrets" : "configmaps";
        var path = $"api/v1/namespaces/{Uri.EscapeDataString(_client.Options.InventoryNamespace)}/{resource}?labelSelector={Uri.EscapeDataString("gitops.sdk.io/inventory=true")}";
        var response = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound)
        {
            return [];
        }

        if (!response.IsSuccess)
        {
            throw new KubernetesApiException($"listing the inventories in namespace {_client.Options.InventoryNamespace} failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(response.Body);
        if (doc.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (item.TryGetProperty("metadata", out var metadata)
                    && metadata.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
                    && annotations.TryGetProperty("gitops.sdk.io/inventory-of", out var of) && of.ValueKind == JsonValueKind.String
                    && of.GetString() is { Length: > 0 } application)
                {
                    names.Add(application);
                }
            }
        }

        return [.. names];
    }

    /// <summary>
    /// The checksum stored with an inventory: SHA-256 over application, revision and entries, and the owner when there
    /// is one (so an inventory without an owner has the checksum it always had).
    /// </summary>
    internal static string Checksum(string application, string revision, string entries, string? owner = null) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.IsNullOrEmpty(owner) ? $"{application}\n{revision}\n{entries}" : $"{application}\n{revision}\n{entries}\n{owner}")));

    /// <inheritdoc />
    public async ValueTask SaveAsync(Inventory inventory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var entries = new JsonArray();
        foreach (var e in Inventory.SortByKey(inventory.Entries))
        {
            var item = new JsonObject { ["key"] = e.Key.ToString(), ["apiVersion"] = e.ApiVersion };
            if (e.AppliedHash is not null)
            {
                item["appliedHash"] = e.AppliedHash;
            }

            entries.Add(item);
        }

        var entriesText = entries.ToJsonString();
        var values = new Dictionary<string, string>
        {
            ["application"] = inventory.Application,
            ["revision"] = inventory.Revision ?? string.Empty,
            ["entries"] = entriesText,
            ["checksum"] = Checksum(inventory.Application, inventory.Revision ?? string.Empty, entriesText, inventory.Owner),
        };
        if (!string.IsNullOrEmpty(inventory.Owner))
        {
            values["owner"] = inventory.Owner;
        }

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

        var response = await WriteAsync(inventory.Application, body, cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound && !_namespaceReady)
        {
            await EnsureNamespaceAsync(cancellationToken).ConfigureAwait(false);
            response = await WriteAsync(inventory.Application, body, cancellationToken).ConfigureAwait(false);
        }

        if (response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            _versions.TryRemove(inventory.Application, out _);
            throw new KubernetesApiException(
                $"saving the inventory of application '{inventory.Application}' failed: {(secret ? "Secret" : "ConfigMap")} {_client.Options.InventoryNamespace}/{name} was changed by another writer since this engine read it; it is not overwritten (the next reconcile reads it again): {response.Describe()}",
                response.StatusCode,
                response.Status?.Reason);
        }

        if (!response.IsSuccess)
        {
            throw new KubernetesApiException($"saving the inventory of application '{inventory.Application}' failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }

        using (var written = JsonDocument.Parse(response.Body))
        {
            if (written.RootElement.TryGetProperty("metadata", out var m) && m.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == JsonValueKind.String)
            {
                _versions[inventory.Application] = rv.GetString()!;
            }
        }

        Log.InventorySaved(_client.Logger, inventory.Application, _client.Options.InventoryNamespace, name, inventory.Entries.Length);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(string application, CancellationToken cancellationToken)
    {
        _versions.TryRemove(application, out _);
        var response = await _client.SendAsync(HttpMethod.Delete, ObjectPath(application), null, null, retry: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess && !response.IsNotFound)
        {
            throw new KubernetesApiException($"deleting the inventory of application '{application}' failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }
    }

    /// <summary>
    /// Creates the inventory when this store has never seen it (a create fails with 409 when someone else made it
    /// meanwhile), otherwise replaces it with the resourceVersion last read or written (409 when it changed since).
    /// </summary>
    private Task<KubeResponse> WriteAsync(string application, JsonObject body, CancellationToken cancellationToken)
    {
        var manager = Uri.EscapeDataString(_client.Options.FieldManager);
        var path = ObjectPath(application);
        if (_versions.TryGetValue(application, out var version))
        {
            ((JsonObject)body["metadata"]!)["resourceVersion"] = version;
            return _client.SendAsync(HttpMethod.Put, $"{path}?fieldManager={manager}", Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json", retry: true, cancellationToken);
        }

        ((JsonObject)body["metadata"]!).Remove("resourceVersion");
        var collection = path[..path.LastIndexOf('/')];
        return _client.SendAsync(HttpMethod.Post, $"{collection}?fieldManager={manager}", Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json", retry: true, cancellationToken);
    }

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
