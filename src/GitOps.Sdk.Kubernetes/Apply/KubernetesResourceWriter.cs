using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Writes single objects to a Kubernetes cluster: server-side apply (field manager, force, dry-run), delete with a uid
/// precondition, and the wait until a CustomResourceDefinition is <c>Established</c> and served by discovery. The
/// engine's plan executor calls it per step and owns waves, ordering, concurrency and the re-create decision.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>429, 5xx and timeouts are retried with backoff, honouring <c>Retry-After</c>.</description></item>
/// <item><description>An immutable-field change is reported as <see cref="WriteFailure.ImmutableField"/> with the
/// field names (from the 422 causes, else the message).</description></item>
/// <item><description>When a forced apply is refused with 422 for another reason (drift another manager made that apply
/// cannot merge away, like a changed Service port keyed by port number), the writer repairs with an update that
/// replaces the affected field and applies again; the result message says so.</description></item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// services.AddGitOps().AddKubernetesTarget();
/// var writer = serviceProvider.GetRequiredService&lt;KubernetesResourceWriter&gt;();
/// WriteResult result = await writer.ApplyAsync(new ApplyRequest { Desired = configMap, Force = true }, cancellationToken);
/// </code>
/// </example>
public sealed partial class KubernetesResourceWriter : IResourceWriter
{
    private readonly KubeApiClient _client;
    private readonly KubernetesRestMapper _mapper;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kubernetes">The client (a <see cref="k8s.Kubernetes"/>).</param>
    /// <param name="mapper">The REST mapper.</param>
    /// <param name="options">Field manager, concurrency, retries and timeouts.</param>
    /// <param name="timeProvider">The clock for backoff and waits.</param>
    /// <param name="logger">The logger.</param>
    internal KubernetesResourceWriter(
        IKubernetes kubernetes,
        KubernetesRestMapper mapper,
        KubernetesTargetOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<KubernetesResourceWriter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        _client = new KubeApiClient(kubernetes, options ?? new KubernetesTargetOptions(), timeProvider, logger);
        _mapper = mapper;
    }

    /// <inheritdoc />
    /// <remarks>Set by <see cref="KubernetesTargetOptions.MaxConcurrency"/>.</remarks>
    public int MaxConcurrency => _client.Options.MaxConcurrency;

    /// <inheritdoc />
    public async ValueTask<WriteResult> ApplyAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var desired = request.Desired;
        try
        {
            var mapping = await _mapper.MapAsync(desired.ApiVersion, desired.Kind, cancellationToken).ConfigureAwait(false);
            if (mapping.Namespaced && desired.Namespace.Length == 0)
            {
                return WriteResult.Failed($"{desired.Kind} is namespaced, but {desired.Key} has no metadata.namespace");
            }

            var fieldManager = request.FieldManager ?? _client.Options.FieldManager;
            var response = await SendApplyAsync(mapping, desired, fieldManager, request.Force, request.DryRun, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                return Success(request, response, message: null);
            }

            return await RefusedAsync(request, mapping, fieldManager, response, cancellationToken).ConfigureAwait(false);
        }
        catch (RestMappingException ex)
        {
            return WriteResult.Failed(ex.Message, WriteFailure.KindNotServed);
        }
        catch (KubernetesApiException ex)
        {
            return WriteResult.Failed(ex.Message);
        }
    }

    /// <summary>
    /// Writes an object's status: server-side apply of <paramref name="status"/> (apiVersion, kind, namespace, name and
    /// the <c>status</c> to own) to the object's <c>status</c> subresource, forced, with <paramref name="fieldManager"/>.
    /// The rest of the object is not touched; a controller that reports on objects it does not own (a custom resource's
    /// status) writes through here.
    /// </summary>
    /// <param name="status">The object with the status fields this field manager owns.</param>
    /// <param name="fieldManager">The field manager that owns the status fields.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// <see cref="ApplyOutcome.Configured"/> with the stored object, or <see cref="ApplyOutcome.Failed"/> (the object is
    /// gone, its kind has no status subresource, the server refused the status).
    /// </returns>
    public async ValueTask<WriteResult> ApplyStatusAsync(KubeObject status, string fieldManager, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        try
        {
            var mapping = await _mapper.MapAsync(status.ApiVersion, status.Kind, cancellationToken).ConfigureAwait(false);
            var path = mapping.ObjectPath(status.Namespace, status.Name)
                + $"/status?fieldManager={Uri.EscapeDataString(fieldManager)}&force=true";
            var response = await _client.SendAsync(HttpMethod.Patch, path, status.Utf8Json.ToArray(), KubeApiClient.ApplyPatchContentType, retry: true, cancellationToken).ConfigureAwait(false);
            return response.IsSuccess
                ? WriteResult.Success(ApplyOutcome.Configured, response.ReadObject())
                : WriteResult.Failed($"writing the status of {status.Key} failed: {response.Describe()}");
        }
        catch (RestMappingException ex)
        {
            return WriteResult.Failed(ex.Message, WriteFailure.KindNotServed);
        }
        catch (KubernetesApiException ex)
        {
            return WriteResult.Failed(ex.Message);
        }
    }

    /// <inheritdoc />
    public async ValueTask<WriteResult> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Target;
        try
        {
            var mapping = await _mapper.MapAsync(target.ApiVersion, target.Kind, cancellationToken).ConfigureAwait(false);
            var path = mapping.ObjectPath(target.Namespace, target.Name);
            var uid = ReadMetadataString(target, "uid");
            var response = await SendDeleteAsync(path, request.PropagationPolicy, uid, request.DryRun, cancellationToken).ConfigureAwait(false);
            if (response.IsNotFound)
            {
                return WriteResult.Success(ApplyOutcome.Deleted, message: "already gone");
            }

            if (response.StatusCode == HttpStatusCode.Conflict && uid is not null)
            {
                return new WriteResult { Outcome = ApplyOutcome.Skipped, Message = $"not deleted: the object was replaced since planning (uid {uid} no longer matches): {response.Status?.Message}" };
            }

            if (!response.IsSuccess)
            {
                return WriteResult.Failed($"delete failed: {response.Describe()}");
            }

            if (request.WaitUntilGone && !request.DryRun && !await WaitUntilGoneAsync(path, cancellationToken).ConfigureAwait(false))
            {
                return WriteResult.Failed($"the deleted object did not disappear within {_client.Options.DeleteTimeout.TotalSeconds:0} s (finalizers?)");
            }

            return WriteResult.Success(ApplyOutcome.Deleted, message: $"propagationPolicy {request.PropagationPolicy}");
        }
        catch (RestMappingException ex)
        {
            return WriteResult.Failed(ex.Message, WriteFailure.KindNotServed);
        }
        catch (KubernetesApiException ex)
        {
            return WriteResult.Failed(ex.Message);
        }
    }

    private async Task<WriteResult> RefusedAsync(ApplyRequest request, RestMapping mapping, string fieldManager, KubeResponse response, CancellationToken cancellationToken)
    {
        var desired = request.Desired;
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return WriteResult.Failed(ApplyRefusals.DescribeConflict(response), WriteFailure.Conflict);
        }

        if (response.IsNotFound && mapping.Namespaced)
        {
            // Apply creates a missing object, so a 404 for a namespaced object means that its namespace is missing.
            return WriteResult.Failed(
                ApplyRefusals.IsNamespaceNotFound(response, desired.Namespace)
                    ? $"its namespace {desired.Namespace} does not exist ({response.Status?.Message}); declare the Namespace in the source, or set ApplicationDefinition.CreateNamespace (gitops reconcile --create-namespace) to create the target namespace first"
                    : $"server-side apply failed: {response.Describe()}",
                WriteFailure.NamespaceNotFound);
        }

        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var immutable = ApplyRefusals.ImmutableFields(response.Status);
            if (immutable.Count > 0)
            {
                return WriteResult.Immutable(immutable, response.Status?.Message ?? response.Describe());
            }

            if (request.Force && response.Status is { } status && status.Causes.Any(static c => c.Field is { Length: > 0 }))
            {
                return await RepairWithUpdateAsync(request, mapping, fieldManager, response, cancellationToken).ConfigureAwait(false);
            }

            var hint = request.Live is not null && !request.Force
                ? "; if live drift made by another field manager causes this, applying with force repairs it with an update"
                : string.Empty;
            return WriteResult.Failed($"server-side apply was refused: {response.Describe()}{hint}");
        }

        return WriteResult.Failed($"server-side apply failed: {response.Describe()}");
    }

    private static WriteResult Success(ApplyRequest request, KubeResponse response, string? message)
    {
        var result = response.ReadObject();
        if (request.DryRun)
        {
            result = DryRunNormalizer.Normalize(result);
        }

        ApplyOutcome outcome;
        if (response.StatusCode == HttpStatusCode.Created || request.Live is null)
        {
            outcome = ApplyOutcome.Created;
        }
        else
        {
            var before = DryRunNormalizer.ResourceVersion(request.Live);
            var after = DryRunNormalizer.ResourceVersion(result);
            outcome = before is not null && string.Equals(before, after, StringComparison.Ordinal) ? ApplyOutcome.Unchanged : ApplyOutcome.Configured;
        }

        return WriteResult.Success(outcome, result, message);
    }

    private async Task<bool> WaitUntilGoneAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = _client.Time.GetUtcNow() + _client.Options.DeleteTimeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var get = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (get.IsNotFound)
            {
                return true;
            }

            if (_client.Time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(delay, _client.Time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    private Task<KubeResponse> SendApplyAsync(RestMapping mapping, KubeObject desired, string fieldManager, bool force, bool dryRun, CancellationToken cancellationToken)
    {
        var path = mapping.ObjectPath(desired.Namespace, desired.Name)
            + $"?fieldManager={Uri.EscapeDataString(fieldManager)}&force={(force ? "true" : "false")}"
            + (dryRun ? "&dryRun=All" : string.Empty);

        // JSON is YAML: the desired object's bytes are a valid apply-patch+yaml body as they are.
        return _client.SendAsync(HttpMethod.Patch, path, desired.Utf8Json.ToArray(), KubeApiClient.ApplyPatchContentType, retry: true, cancellationToken);
    }

    private Task<KubeResponse> SendDeleteAsync(string path, string propagationPolicy, string? uid, bool dryRun, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "DeleteOptions",
            ["propagationPolicy"] = propagationPolicy,
        };
        if (uid is not null)
        {
            body["preconditions"] = new JsonObject { ["uid"] = uid };
        }

        if (dryRun)
        {
            body["dryRun"] = new JsonArray("All");
        }

        var query = dryRun ? "?dryRun=All" : string.Empty;
        return _client.SendAsync(HttpMethod.Delete, path + query, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json", retry: true, cancellationToken);
    }

    private static string? ReadMetadataString(KubeObject obj, string property) =>
        obj.Metadata.ValueKind == JsonValueKind.Object && obj.Metadata.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
