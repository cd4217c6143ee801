using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Writes plans to a Kubernetes cluster with server-side apply.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>Steps without drift (<see cref="PlanAction.None"/>) and skipped steps send no request, so a steady
/// state causes zero writes and unchanged objects keep their resourceVersion (re-applying is not always a no-op on a
/// real server).</description></item>
/// <item><description>Consecutive steps of the same wave and kind form a batch, written concurrently up to
/// <see cref="KubernetesTargetOptions.MaxConcurrency"/>; batches run in plan order. A wave with a failure stops later
/// waves and the prune.</description></item>
/// <item><description>Custom resources wait until their CustomResourceDefinition (when the plan applies it) is
/// <c>Established</c>.</description></item>
/// <item><description>429, 5xx and timeouts are retried with backoff, honouring <c>Retry-After</c>.</description></item>
/// <item><description>An immutable-field change fails with the field's name, unless <see cref="ApplyOptions.AllowRecreate"/>
/// or the <see cref="WellKnown.RecreateAnnotation"/> annotation is <c>true</c>: then the object is deleted and created again.</description></item>
/// <item><description>When a forced apply is refused with 422 (drift another manager made that apply cannot merge away,
/// like a changed Service port keyed by port number), the applier repairs with an update that replaces the affected
/// field and applies again; the result message says so.</description></item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// var applier = new KubernetesApplier(client, new KubernetesRestMapper(client));
/// ApplyResult preview = await applier.ApplyAsync(plan, new ApplyOptions { DryRun = true }, cancellationToken);
/// ApplyResult result = await applier.ApplyAsync(plan, new ApplyOptions { Force = true }, cancellationToken);
/// </code>
/// </example>
public sealed class KubernetesApplier : IApplier
{
    private const string CrdGroup = "apiextensions.k8s.io";
    private readonly KubeApiClient _client;
    private readonly KubernetesRestMapper _mapper;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kubernetes">The client (a <see cref="k8s.Kubernetes"/>).</param>
    /// <param name="mapper">The REST mapper.</param>
    /// <param name="options">Field manager, concurrency, retries and timeouts.</param>
    /// <param name="timeProvider">The clock for backoff and waits.</param>
    /// <param name="logger">The logger.</param>
    public KubernetesApplier(
        IKubernetes kubernetes,
        KubernetesRestMapper mapper,
        KubernetesTargetOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<KubernetesApplier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        _client = new KubeApiClient(kubernetes, options ?? new KubernetesTargetOptions(), timeProvider, logger);
        _mapper = mapper;
    }

    /// <inheritdoc />
    public async ValueTask<ApplyResult> ApplyAsync(ApplyPlan plan, ApplyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var steps = plan.Steps;
        var results = new ObjectApplyResult[steps.Length];
        var context = new ApplyContext(plan, options, options.FieldManager ?? _client.Options.FieldManager, results);
        using var gate = new SemaphoreSlim(_client.Options.MaxConcurrency);
        int? failedWave = null;
        var i = 0;
        while (i < steps.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var j = i + 1;
            while (j < steps.Length && SameBatch(steps[i], steps[j]))
            {
                j++;
            }

            var tasks = new List<Task>(j - i);
            for (var k = i; k < j; k++)
            {
                var index = k;
                var step = steps[index];
                if (failedWave is { } wave && (step.Wave > wave || step.Action == PlanAction.Delete) && Writes(step))
                {
                    results[index] = new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, $"not carried out: an earlier step of wave {wave} failed");
                    continue;
                }

                tasks.Add(RunGatedAsync(gate, index, step, context, cancellationToken));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            for (var k = i; k < j; k++)
            {
                if (results[k].Outcome == ApplyOutcome.Failed && failedWave is null)
                {
                    failedWave = steps[k].Wave;
                }
            }

            i = j;
        }

        return new ApplyResult { Objects = ImmutableArray.Create(results), DryRun = options.DryRun };
    }

    /// <summary>
    /// Asks the server what applying <paramref name="desired"/> would store (server-side dry-run) and compares that
    /// with the live object, ignoring what every write changes (resourceVersion, generation, managedFields times).
    /// This is the highest-fidelity drift check: it sees server defaulting, quantity canonicalization and admission.
    /// </summary>
    /// <param name="desired">The desired object.</param>
    /// <param name="options">Field manager and force.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The live and predicted objects and whether applying would change anything.</returns>
    public async ValueTask<ServerSideDiff> ServerSideDiffAsync(KubeObject desired, ApplyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(options);
        RestMapping mapping;
        try
        {
            mapping = await _mapper.MapAsync(desired.ApiVersion, desired.Kind, cancellationToken).ConfigureAwait(false);
        }
        catch (RestMappingException ex)
        {
            return new ServerSideDiff(desired.Key, null, null, true) { Error = ex.Message };
        }

        var path = mapping.ObjectPath(desired.Namespace, desired.Name);
        var liveResponse = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        KubeObject? live = null;
        if (liveResponse.IsSuccess)
        {
            live = liveResponse.ReadObject();
        }
        else if (!liveResponse.IsNotFound)
        {
            return new ServerSideDiff(desired.Key, null, null, true) { Error = liveResponse.Describe() };
        }

        var fieldManager = options.FieldManager ?? _client.Options.FieldManager;
        var response = await SendApplyAsync(mapping, desired, fieldManager, options.Force, dryRun: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return new ServerSideDiff(desired.Key, live, null, true) { Error = response.Describe() };
        }

        var predicted = DryRunNormalizer.Normalize(response.ReadObject());
        var drift = live is null || !string.Equals(
            DryRunNormalizer.ComparableHash(predicted),
            DryRunNormalizer.ComparableHash(DryRunNormalizer.Normalize(live)),
            StringComparison.Ordinal);
        return new ServerSideDiff(desired.Key, live, predicted, drift);
    }

    private static bool Writes(PlanStep step) => step.Action is PlanAction.Apply or PlanAction.Delete or PlanAction.Recreate;

    private static bool SameBatch(PlanStep a, PlanStep b) =>
        a.Wave == b.Wave
        && a.Key.GroupKind == b.Key.GroupKind
        && (a.Action == PlanAction.Delete) == (b.Action == PlanAction.Delete);

    private async Task RunGatedAsync(SemaphoreSlim gate, int index, PlanStep step, ApplyContext context, CancellationToken cancellationToken)
    {
        if (!Writes(step))
        {
            context.Results[index] = await RunStepAsync(step, context, cancellationToken).ConfigureAwait(false);
            return;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            context.Results[index] = await RunStepAsync(step, context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ObjectApplyResult> RunStepAsync(PlanStep step, ApplyContext context, CancellationToken cancellationToken)
    {
        ObjectApplyResult result;
        try
        {
            result = step.Action switch
            {
                PlanAction.None => new ObjectApplyResult(step.Key, ApplyOutcome.Unchanged) { Result = step.Live },
                PlanAction.Skip => new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, step.Reason ?? "skipped by the plan"),
                PlanAction.Apply => await ApplyStepAsync(step, context, recreateReason: null, cancellationToken).ConfigureAwait(false),
                PlanAction.Recreate => await ApplyStepAsync(step, context, step.Reason ?? "the plan asks for re-creation", cancellationToken).ConfigureAwait(false),
                PlanAction.Delete => await DeleteStepAsync(step, context, cancellationToken).ConfigureAwait(false),
                _ => new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"unknown plan action {step.Action}"),
            };
        }
        catch (KubernetesApiException ex)
        {
            result = new ObjectApplyResult(step.Key, ApplyOutcome.Failed, ex.Message);
        }
        catch (RestMappingException ex)
        {
            result = new ObjectApplyResult(step.Key, ApplyOutcome.Failed, ex.Message);
        }

        if (Writes(step))
        {
            Log.StepDone(_client.Logger, context.Plan.Application, step.Key, result.Outcome, context.Options.DryRun ? " (dry-run)" : string.Empty, result.Message);
        }

        return result;
    }

    private async Task<ObjectApplyResult> ApplyStepAsync(PlanStep step, ApplyContext context, string? recreateReason, CancellationToken cancellationToken)
    {
        if (step.Desired is not { } desired)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, "the plan step has no desired object");
        }

        var crdProblem = await WaitForCrdAsync(desired.Key.GroupKind, context, cancellationToken).ConfigureAwait(false);
        if (crdProblem is not null)
        {
            return crdProblem.Value.DryRunPass
                ? new ObjectApplyResult(step.Key, step.Live is null ? ApplyOutcome.Created : ApplyOutcome.Configured, crdProblem.Value.Message)
                : new ObjectApplyResult(step.Key, ApplyOutcome.Failed, crdProblem.Value.Message);
        }

        var mapping = context.CrdsInPlan.TryGetValue(desired.Key.GroupKind, out var definedBy) && !context.Options.DryRun
            ? await _mapper.MapWhenServedAsync(desired.ApiVersion, desired.Kind, definedBy.Key.Name, _client.Options.CrdEstablishedTimeout, cancellationToken).ConfigureAwait(false)
            : await _mapper.MapAsync(desired.ApiVersion, desired.Kind, cancellationToken).ConfigureAwait(false);
        if (mapping.Namespaced && desired.Namespace.Length == 0)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"{desired.Kind} is namespaced, but {step.Key} has no metadata.namespace");
        }

        if (recreateReason is not null)
        {
            return await RecreateAsync(step, desired, mapping, context, recreateReason, cancellationToken).ConfigureAwait(false);
        }

        var response = await SendApplyAsync(mapping, desired, context.FieldManager, context.Options.Force, context.Options.DryRun, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            return Success(step, response, context, message: null);
        }

        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, DescribeConflict(response));
        }

        if (context.Options.DryRun && response.IsNotFound && mapping.Namespaced && context.NamespacesInPlan.Contains(desired.Namespace))
        {
            // A dry-run creates nothing, so the namespace this plan creates does not exist for the objects in it.
            return new ObjectApplyResult(step.Key, step.Live is null ? ApplyOutcome.Created : ApplyOutcome.Configured, $"not validated by the server: its namespace {desired.Namespace} is created by this plan");
        }

        if (response.IsNotFound && mapping.Namespaced && IsNamespaceNotFound(response, desired.Namespace))
        {
            return new ObjectApplyResult(
                step.Key,
                ApplyOutcome.Failed,
                $"its namespace {desired.Namespace} does not exist ({response.Status?.Message}); declare the Namespace in the source, or set ApplicationDefinition.CreateNamespace (gitops reconcile --create-namespace) to create the target namespace first");
        }

        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var immutable = ImmutableFields(response.Status);
            if (immutable.Count > 0)
            {
                var fields = string.Join(", ", immutable);
                if (context.Options.AllowRecreate || string.Equals(desired.GetAnnotation(WellKnown.RecreateAnnotation), "true", StringComparison.OrdinalIgnoreCase))
                {
                    return await RecreateAsync(step, desired, mapping, context, $"immutable field {fields} changed", cancellationToken).ConfigureAwait(false);
                }

                return new ObjectApplyResult(
                    step.Key,
                    ApplyOutcome.Failed,
                    $"immutable field {fields} cannot be changed ({response.Status?.Message}); set ApplyOptions.AllowRecreate or annotate the object {WellKnown.RecreateAnnotation}=\"true\" to delete and re-create it");
            }

            if (context.Options.Force && response.Status is { } status && status.Causes.Any(static c => c.Field is { Length: > 0 }))
            {
                return await RepairWithUpdateAsync(step, desired, mapping, context, response, cancellationToken).ConfigureAwait(false);
            }

            var hint = step.Live is not null && !context.Options.Force
                ? "; if live drift made by another field manager causes this, applying with force repairs it with an update"
                : string.Empty;
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"server-side apply was refused: {response.Describe()}{hint}");
        }

        return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"server-side apply failed: {response.Describe()}");
    }

    private ObjectApplyResult Success(PlanStep step, KubeResponse response, ApplyContext context, string? message)
    {
        var result = response.ReadObject();
        if (context.Options.DryRun)
        {
            result = DryRunNormalizer.Normalize(result);
        }

        ApplyOutcome outcome;
        if (response.StatusCode == HttpStatusCode.Created || step.Live is null)
        {
            outcome = ApplyOutcome.Created;
        }
        else
        {
            var before = DryRunNormalizer.ResourceVersion(step.Live);
            var after = DryRunNormalizer.ResourceVersion(result);
            outcome = before is not null && string.Equals(before, after, StringComparison.Ordinal) ? ApplyOutcome.Unchanged : ApplyOutcome.Configured;
        }

        return new ObjectApplyResult(step.Key, outcome, message) { Result = result };
    }

    private async Task<ObjectApplyResult> RecreateAsync(PlanStep step, KubeObject desired, RestMapping mapping, ApplyContext context, string reason, CancellationToken cancellationToken)
    {
        var path = mapping.ObjectPath(desired.Namespace, desired.Name);
        var delete = await SendDeleteAsync(path, context.Options.PropagationPolicy, uid: null, context.Options.DryRun, cancellationToken).ConfigureAwait(false);
        if (!delete.IsSuccess && !delete.IsNotFound)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"{reason}; deleting it for re-creation failed: {delete.Describe()}");
        }

        if (context.Options.DryRun)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Configured, $"would be deleted and re-created: {reason}") { Result = desired };
        }

        var gone = await WaitUntilGoneAsync(path, cancellationToken).ConfigureAwait(false);
        if (!gone)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"{reason}; the deleted object did not disappear within {_client.Options.DeleteTimeout.TotalSeconds:0} s (finalizers?)");
        }

        var response = await SendApplyAsync(mapping, desired, context.FieldManager, force: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"{reason}; deleted, but creating it again failed: {response.Describe()}");
        }

        return new ObjectApplyResult(step.Key, ApplyOutcome.Configured, $"deleted and re-created: {reason}") { Result = response.ReadObject() };
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

    /// <summary>
    /// Case 41: apply (even forced) is refused with 422 because another manager's change cannot be merged away (a
    /// Service port keyed by a changed port number keeps its name, so the merged list holds the name twice). An update
    /// that replaces the affected field (the whole list) with the desired value repairs it; a forced apply afterwards
    /// restores this manager's ownership of every desired field.
    /// </summary>
    private async Task<ObjectApplyResult> RepairWithUpdateAsync(PlanStep step, KubeObject desired, RestMapping mapping, ApplyContext context, KubeResponse refused, CancellationToken cancellationToken)
    {
        var fields = refused.Status!.Causes
            .Select(static c => c.Field)
            .Where(static f => !string.IsNullOrEmpty(f))
            .Select(static f => ContainingField(f!))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var path = mapping.ObjectPath(desired.Namespace, desired.Name);
        var desiredNode = desired.ToJsonObject();
        KubeResponse? update = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var get = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (!get.IsSuccess)
            {
                return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"server-side apply was refused ({refused.Describe()}); reading the object for a repair failed: {get.Describe()}");
            }

            var live = JsonNode.Parse(get.Body)!.AsObject();
            foreach (var field in fields)
            {
                ReplaceField(live, desiredNode, field);
            }

            if (live["metadata"] is JsonObject meta)
            {
                meta.Remove("managedFields");
            }

            var query = $"?fieldManager={Uri.EscapeDataString(context.FieldManager)}" + (context.Options.DryRun ? "&dryRun=All" : string.Empty);
            update = await _client.SendAsync(HttpMethod.Put, path + query, Encoding.UTF8.GetBytes(live.ToJsonString()), "application/json", retry: true, cancellationToken).ConfigureAwait(false);
            if (update.StatusCode != HttpStatusCode.Conflict)
            {
                break;
            }
        }

        var fieldText = string.Join(", ", fields);
        if (update is null || !update.IsSuccess)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"server-side apply was refused ({refused.Describe()}); the repair by update replacing {fieldText} failed too: {update?.Describe()}");
        }

        var note = $"server-side apply was refused ({refused.Status?.Message}); repaired with an update replacing {fieldText}";
        if (context.Options.DryRun)
        {
            return Success(step, update, context, note + " (dry-run)");
        }

        var reapply = await SendApplyAsync(mapping, desired, context.FieldManager, force: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        if (!reapply.IsSuccess)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"{note}, but the apply afterwards failed: {reapply.Describe()}");
        }

        var result = Success(step, reapply, context, note + ", then applied again");
        return result with { Outcome = ApplyOutcome.Configured };
    }

    private async Task<ObjectApplyResult> DeleteStepAsync(PlanStep step, ApplyContext context, CancellationToken cancellationToken)
    {
        if (step.Live is not { } live)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Deleted, "already gone");
        }

        var mapping = await _mapper.MapAsync(live.ApiVersion, live.Kind, cancellationToken).ConfigureAwait(false);
        var path = mapping.ObjectPath(live.Namespace, live.Name);
        var uid = ReadMetadataString(live, "uid");
        var response = await SendDeleteAsync(path, context.Options.PropagationPolicy, uid, context.Options.DryRun, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Deleted, $"propagationPolicy {context.Options.PropagationPolicy}");
        }

        if (response.IsNotFound)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Deleted, "already gone");
        }

        if (response.StatusCode == HttpStatusCode.Conflict && uid is not null)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, $"not deleted: the object was replaced since planning (uid {uid} no longer matches): {response.Status?.Message}");
        }

        return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"delete failed: {response.Describe()}");
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

    private async Task<(string Message, bool DryRunPass)?> WaitForCrdAsync(GroupKind groupKind, ApplyContext context, CancellationToken cancellationToken)
    {
        if (!context.CrdsInPlan.TryGetValue(groupKind, out var crd))
        {
            return null;
        }

        var crdResult = context.ResultOf(crd.Key);
        if (crdResult is { Outcome: ApplyOutcome.Failed or ApplyOutcome.Skipped })
        {
            return ($"its CustomResourceDefinition {crd.Key.Name} was not applied: {crdResult.Message}", false);
        }

        if (context.Options.DryRun)
        {
            // The dry-run did not create the CRD; the server cannot validate the custom resource yet.
            return await _mapper.TryMapAsync(crd.ApiVersionOfInstances(groupKind), groupKind.Kind, cancellationToken).ConfigureAwait(false) is null
                ? ($"will be created after the CRD {crd.Key.Name} (not validated by the server: the CustomResourceDefinition is created by this plan)", true)
                : null;
        }

        var wait = context.CrdWaits.GetOrAdd(crd.Key.Name, name => WaitForEstablishedAsync(context.Plan.Application, name, groupKind.Group, cancellationToken));
        var problem = await wait.ConfigureAwait(false);
        return problem is null ? null : (problem, false);
    }

    private async Task<string?> WaitForEstablishedAsync(string application, string crdName, string group, CancellationToken cancellationToken)
    {
        Log.WaitingForCrd(_client.Logger, application, crdName);
        var path = $"apis/{CrdGroup}/v1/customresourcedefinitions/{Uri.EscapeDataString(crdName)}";
        var deadline = _client.Time.GetUtcNow() + _client.Options.CrdEstablishedTimeout;
        var delay = TimeSpan.FromMilliseconds(50);
        string last = "no status yet";
        while (true)
        {
            var response = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                using var doc = JsonDocument.Parse(response.Body);
                var (established, message) = ReadEstablished(doc.RootElement);
                if (established)
                {
                    _mapper.Invalidate(group);
                    return null;
                }

                last = message ?? "not established yet";
            }
            else
            {
                last = response.Describe();
            }

            if (_client.Time.GetUtcNow() >= deadline)
            {
                return $"its CustomResourceDefinition {crdName} did not become Established within {_client.Options.CrdEstablishedTimeout.TotalSeconds:0.###} s (KubernetesTargetOptions.CrdEstablishedTimeout; last seen: {last})";
            }

            await Task.Delay(delay, _client.Time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    /// <summary>A real server answers a write into a missing namespace with 404 <c>namespaces "web" not found</c> (details.kind <c>namespaces</c>).</summary>
    private static bool IsNamespaceNotFound(KubeResponse response, string @namespace) =>
        response.Status?.Message is { } message
        && message.Contains($"namespaces \"{@namespace}\" not found", StringComparison.Ordinal);

    private static (bool Established, string? Message) ReadEstablished(JsonElement crd)
    {
        if (crd.TryGetProperty("status", out var status)
            && status.TryGetProperty("conditions", out var conditions)
            && conditions.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in conditions.EnumerateArray())
            {
                if (Informer.ReadString(c, "type") == "Established")
                {
                    return (Informer.ReadString(c, "status") == "True", Informer.ReadString(c, "message"));
                }
            }
        }

        return (false, null);
    }

    private static string DescribeConflict(KubeResponse response)
    {
        var status = response.Status;
        var fields = status?.Causes
            .Where(static c => c.Reason == "FieldManagerConflict")
            .Select(static c => c.Field is { Length: > 0 } f ? $"{f} ({c.Message})" : c.Message)
            .ToList() ?? [];
        var detail = fields.Count > 0 ? string.Join("; ", fields) : status?.Message ?? response.Describe();
        return $"field ownership conflict with another field manager: {detail}; apply with force to take ownership";
    }

    /// <summary>Names the immutable fields of a 422 answer (causes first, then the message), or an empty list.</summary>
    internal static List<string> ImmutableFields(KubeStatus? status)
    {
        var fields = new List<string>();
        if (status is null)
        {
            return fields;
        }

        foreach (var cause in status.Causes)
        {
            if (cause.Message?.Contains("immutable", StringComparison.OrdinalIgnoreCase) == true)
            {
                fields.Add(cause.Field is { Length: > 0 } f ? f : "(unnamed field)");
            }
        }

        if (fields.Count == 0 && status.Message?.Contains("field is immutable", StringComparison.OrdinalIgnoreCase) == true)
        {
            // "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: ...: field is immutable"
            var message = status.Message;
            var invalid = message.IndexOf("is invalid: ", StringComparison.Ordinal);
            var start = invalid >= 0 ? invalid + "is invalid: ".Length : 0;
            var colon = message.IndexOf(':', start);
            fields.Add(colon > start ? message[start..colon] : "(unnamed field)");
        }

        return fields.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary><c>spec.ports[1].name</c> → <c>spec.ports</c>: a list element's problem is repaired by replacing the list.</summary>
    internal static string ContainingField(string field)
    {
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 ? field[..bracket] : field;
    }

    /// <summary>Sets <paramref name="field"/> (dotted) in <paramref name="target"/> to its value in <paramref name="source"/>, or removes it when the source lacks it.</summary>
    internal static void ReplaceField(JsonObject target, JsonObject source, string field)
    {
        var segments = field.Split('.');
        JsonObject? src = source;
        JsonObject dst = target;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            src = src?[segments[i]] as JsonObject;
            if (dst[segments[i]] is not JsonObject next)
            {
                if (src is null)
                {
                    return;
                }

                next = new JsonObject();
                dst[segments[i]] = next;
            }

            dst = next;
        }

        var last = segments[^1];
        if (src is not null && src.TryGetPropertyValue(last, out var value) && value is not null)
        {
            dst[last] = value.DeepClone();
        }
        else
        {
            dst.Remove(last);
        }
    }

    private static string? ReadMetadataString(KubeObject obj, string property) =>
        obj.Metadata.ValueKind == JsonValueKind.Object && obj.Metadata.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private sealed class ApplyContext
    {
        private readonly Dictionary<ResourceKey, int> _indexes = [];

        public ApplyContext(ApplyPlan plan, ApplyOptions options, string fieldManager, ObjectApplyResult[] results)
        {
            Plan = plan;
            Options = options;
            FieldManager = fieldManager;
            Results = results;
            for (var i = 0; i < plan.Steps.Length; i++)
            {
                var step = plan.Steps[i];
                _indexes.TryAdd(step.Key, i);
                if (step.Desired is { } n && n.Group.Length == 0 && n.Kind == "Namespace" && step.Action is PlanAction.Apply or PlanAction.Recreate)
                {
                    NamespacesInPlan.Add(n.Name);
                }

                if (step.Desired is { } d && d.Group == CrdGroup && d.Kind == "CustomResourceDefinition" && CrdInfo.TryRead(d) is { } info)
                {
                    CrdsInPlan[info.Defines] = info;
                }
            }
        }

        public ApplyPlan Plan { get; }

        public ApplyOptions Options { get; }

        public string FieldManager { get; }

        public ObjectApplyResult[] Results { get; }

        public Dictionary<GroupKind, CrdInfo> CrdsInPlan { get; } = [];

        public HashSet<string> NamespacesInPlan { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, Task<string?>> CrdWaits { get; } = new(StringComparer.Ordinal);

        public ObjectApplyResult? ResultOf(ResourceKey key) => _indexes.TryGetValue(key, out var i) ? Volatile.Read(ref Results[i]) : null;
    }

    private sealed record CrdInfo(ResourceKey Key, GroupKind Defines, string[] Versions)
    {
        public string ApiVersionOfInstances(GroupKind gk) => $"{gk.Group}/{(Versions.Length > 0 ? Versions[0] : "v1")}";

        public static CrdInfo? TryRead(KubeObject crd)
        {
            if (!crd.Json.TryGetProperty("spec", out var spec)
                || Informer.ReadString(spec, "group") is not { } group
                || !spec.TryGetProperty("names", out var names)
                || Informer.ReadString(names, "kind") is not { } kind)
            {
                return null;
            }

            var versions = new List<string>();
            if (spec.TryGetProperty("versions", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var v in list.EnumerateArray())
                {
                    if (Informer.ReadString(v, "name") is { } name)
                    {
                        versions.Add(name);
                    }
                }
            }

            return new CrdInfo(crd.Key, new GroupKind(group, kind), [.. versions]);
        }
    }
}

/// <summary>The result of <see cref="KubernetesApplier.ServerSideDiffAsync"/>.</summary>
/// <param name="Key">The object.</param>
/// <param name="Live">The live object, or <see langword="null"/> when it does not exist.</param>
/// <param name="Predicted">What the server would store after applying (normalized), or <see langword="null"/> when the dry-run failed.</param>
/// <param name="HasDrift">Whether applying would change anything (always <see langword="true"/> when the dry-run failed).</param>
public sealed record ServerSideDiff(ResourceKey Key, KubeObject? Live, KubeObject? Predicted, bool HasDrift)
{
    /// <summary>Gets why the dry-run failed (e.g. a 422 that only a repair by update can resolve), when it did.</summary>
    public string? Error { get; init; }
}
