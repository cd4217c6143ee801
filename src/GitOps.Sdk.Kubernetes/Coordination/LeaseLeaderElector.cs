using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>Decides which of several host replicas does the work, so that one application is reconciled by one replica at a time.</summary>
public interface ILeaderElector
{
    /// <summary>Gets this replica's identity.</summary>
    string Identity { get; }

    /// <summary>Gets a value indicating whether this replica held the lease at the last successful acquire or renew, and it has not expired since.</summary>
    bool IsLeader { get; }

    /// <summary>Acquires the lease when it is free or expired, or renews it when this replica holds it.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns><see langword="true"/> when this replica holds the lease now.</returns>
    ValueTask<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken);

    /// <summary>Gives the lease up if this replica holds it, so another replica can take over at once.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    ValueTask ReleaseAsync(CancellationToken cancellationToken);
}

/// <summary>Settings of <see cref="LeaseLeaderElector"/>.</summary>
public sealed class LeaseLeaderElectorOptions
{
    /// <summary>Gets or sets the Lease name. <value>Default: <c>gitops-sdk-leader</c>.</value></summary>
    public string LeaseName { get; set; } = "gitops-sdk-leader";

    /// <summary>Gets or sets the Lease namespace; <see langword="null"/> uses <see cref="KubernetesTargetOptions.InventoryNamespace"/>. <value>Default: <see langword="null"/>.</value></summary>
    public string? Namespace { get; set; }

    /// <summary>Gets or sets this replica's identity. <value>Default: the machine name and a random suffix.</value></summary>
    public string Identity { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];

    /// <summary>Gets or sets how long a lease is valid without renewal. <value>Default: 15 s.</value></summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Leader election through a <c>coordination.k8s.io/v1</c> Lease: the holder renews <c>renewTime</c> well within
/// <c>leaseDurationSeconds</c>; another replica takes over only after the lease expired, using optimistic concurrency
/// (resourceVersion), so two replicas can never both win. The clock is the <see cref="TimeProvider"/>.
/// </summary>
public sealed class LeaseLeaderElector : ILeaderElector
{
    private readonly KubeApiClient _client;
    private readonly LeaseLeaderElectorOptions _lease;
    private readonly string _namespace;
    private DateTimeOffset _validUntil;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kubernetes">The client (a <see cref="k8s.Kubernetes"/>).</param>
    /// <param name="lease">Lease name, namespace, identity and duration.</param>
    /// <param name="options">Retry settings and the default namespace.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    public LeaseLeaderElector(IKubernetes kubernetes, LeaseLeaderElectorOptions? lease = null, KubernetesTargetOptions? options = null, TimeProvider? timeProvider = null, ILogger<LeaseLeaderElector>? logger = null)
    {
        _client = new KubeApiClient(kubernetes, options ?? new KubernetesTargetOptions(), timeProvider, logger);
        _lease = lease ?? new LeaseLeaderElectorOptions();
        _namespace = _lease.Namespace ?? _client.Options.InventoryNamespace;
    }

    /// <inheritdoc />
    public string Identity => _lease.Identity;

    /// <inheritdoc />
    public bool IsLeader => _client.Time.GetUtcNow() < _validUntil;

    /// <inheritdoc />
    public async ValueTask<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _client.Time.GetUtcNow();
        var path = LeasePath();
        var get = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (get.IsNotFound)
        {
            var created = await CreateAsync(now, cancellationToken).ConfigureAwait(false);
            return Won(created, now, "acquired (new lease)");
        }

        if (!get.IsSuccess)
        {
            throw new KubernetesApiException($"reading lease {_namespace}/{_lease.LeaseName} failed: {get.Describe()}", get.StatusCode, get.Status?.Reason);
        }

        var lease = JsonNode.Parse(get.Body)!.AsObject();
        var spec = lease["spec"] as JsonObject ?? [];
        lease["spec"] = spec;
        var holder = spec["holderIdentity"]?.GetValue<string>();
        var duration = spec["leaseDurationSeconds"]?.GetValue<int>() ?? (int)_lease.LeaseDuration.TotalSeconds;
        var renew = ParseTime(spec["renewTime"]?.GetValue<string>()) ?? ParseTime(spec["acquireTime"]?.GetValue<string>());
        var mine = string.Equals(holder, Identity, StringComparison.Ordinal);
        var expired = string.IsNullOrEmpty(holder) || renew is null || renew.Value.AddSeconds(duration) <= now;
        if (!mine && !expired)
        {
            _validUntil = default;
            return false;
        }

        spec["holderIdentity"] = Identity;
        spec["leaseDurationSeconds"] = (int)Math.Ceiling(_lease.LeaseDuration.TotalSeconds);
        spec["renewTime"] = FormatTime(now);
        if (!mine)
        {
            spec["acquireTime"] = FormatTime(now);
            spec["leaseTransitions"] = (spec["leaseTransitions"]?.GetValue<int>() ?? 0) + 1;
        }

        var put = await _client.SendAsync(HttpMethod.Put, path, Encoding.UTF8.GetBytes(lease.ToJsonString()), "application/json", retry: true, cancellationToken).ConfigureAwait(false);
        return Won(put, now, mine ? "renewed" : $"took over from {(string.IsNullOrEmpty(holder) ? "nobody" : holder)}");
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken)
    {
        var path = LeasePath();
        var get = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        _validUntil = default;
        if (!get.IsSuccess)
        {
            return;
        }

        var lease = JsonNode.Parse(get.Body)!.AsObject();
        if (lease["spec"] is not JsonObject spec || spec["holderIdentity"]?.GetValue<string>() != Identity)
        {
            return;
        }

        spec.Remove("holderIdentity");
        spec["leaseDurationSeconds"] = 1;
        await _client.SendAsync(HttpMethod.Put, path, Encoding.UTF8.GetBytes(lease.ToJsonString()), "application/json", retry: true, cancellationToken).ConfigureAwait(false);
        Log.LeaseTransition(_client.Logger, _namespace, _lease.LeaseName, Identity, "released");
    }

    private bool Won(KubeResponse response, DateTimeOffset now, string transition)
    {
        if (response.IsSuccess)
        {
            _validUntil = now + _lease.LeaseDuration;
            if (transition != "renewed")
            {
                Log.LeaseTransition(_client.Logger, _namespace, _lease.LeaseName, Identity, transition);
            }

            return true;
        }

        _validUntil = default;
        if (response.StatusCode is HttpStatusCode.Conflict)
        {
            // Another replica wrote first.
            return false;
        }

        throw new KubernetesApiException($"writing lease {_namespace}/{_lease.LeaseName} failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
    }

    private async Task<KubeResponse> CreateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = _lease.LeaseName, ["namespace"] = _namespace },
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = Identity,
                ["leaseDurationSeconds"] = (int)Math.Ceiling(_lease.LeaseDuration.TotalSeconds),
                ["acquireTime"] = FormatTime(now),
                ["renewTime"] = FormatTime(now),
                ["leaseTransitions"] = 0,
            },
        };
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var collection = $"apis/coordination.k8s.io/v1/namespaces/{Uri.EscapeDataString(_namespace)}/leases";
        var response = await _client.SendAsync(HttpMethod.Post, collection, bytes, "application/json", retry: true, cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound)
        {
            // The namespace is missing: create it, then the lease.
            var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = _namespace } };
            await _client.SendAsync(
                HttpMethod.Patch,
                $"api/v1/namespaces/{Uri.EscapeDataString(_namespace)}?fieldManager={Uri.EscapeDataString(_client.Options.FieldManager)}&force=true",
                Encoding.UTF8.GetBytes(ns.ToJsonString()),
                KubeApiClient.ApplyPatchContentType,
                retry: true,
                cancellationToken).ConfigureAwait(false);
            response = await _client.SendAsync(HttpMethod.Post, collection, bytes, "application/json", retry: true, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private string LeasePath() =>
        $"apis/coordination.k8s.io/v1/namespaces/{Uri.EscapeDataString(_namespace)}/leases/{Uri.EscapeDataString(_lease.LeaseName)}";

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
