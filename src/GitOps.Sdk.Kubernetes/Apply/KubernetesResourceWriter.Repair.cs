using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Kubernetes;

/// <summary>The repair of a forced apply the server refused because of drift another manager made.</summary>
public sealed partial class KubernetesResourceWriter
{
    /// <summary>
    /// Case 41: apply (even forced) is refused with 422 because another manager's change cannot be merged away (a
    /// Service port keyed by a changed port number keeps its name, so the merged list holds the name twice). An update
    /// that replaces the affected field (the whole list) with the desired value repairs it; a forced apply afterwards
    /// restores this manager's ownership of every desired field.
    /// </summary>
    private async Task<WriteResult> RepairWithUpdateAsync(ApplyRequest request, RestMapping mapping, string fieldManager, KubeResponse refused, CancellationToken cancellationToken)
    {
        var desired = request.Desired;
        var fields = refused.Status!.Causes
            .Select(static c => c.Field)
            .Where(static f => !string.IsNullOrEmpty(f))
            .Select(static f => ApplyRefusals.ContainingField(f!))
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
                return WriteResult.Failed($"server-side apply was refused ({refused.Describe()}); reading the object for a repair failed: {get.Describe()}");
            }

            var live = JsonNode.Parse(get.Body)!.AsObject();
            foreach (var field in fields)
            {
                ApplyRefusals.ReplaceField(live, desiredNode, field);
            }

            if (live["metadata"] is JsonObject meta)
            {
                meta.Remove("managedFields");
            }

            var query = $"?fieldManager={Uri.EscapeDataString(fieldManager)}" + (request.DryRun ? "&dryRun=All" : string.Empty);
            update = await _client.SendAsync(HttpMethod.Put, path + query, Encoding.UTF8.GetBytes(live.ToJsonString()), "application/json", retry: true, cancellationToken).ConfigureAwait(false);
            if (update.StatusCode != HttpStatusCode.Conflict)
            {
                break;
            }
        }

        var fieldText = string.Join(", ", fields);
        if (update is null || !update.IsSuccess)
        {
            return WriteResult.Failed($"server-side apply was refused ({refused.Describe()}); the repair by update replacing {fieldText} failed too: {update?.Describe()}");
        }

        var note = $"server-side apply was refused ({refused.Status?.Message}); repaired with an update replacing {fieldText}";
        if (request.DryRun)
        {
            return Success(request, update, note + " (dry-run)");
        }

        var reapply = await SendApplyAsync(mapping, desired, fieldManager, force: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        if (!reapply.IsSuccess)
        {
            return WriteResult.Failed($"{note}, but the apply afterwards failed: {reapply.Describe()}");
        }

        return Success(request, reapply, note + ", then applied again") with { Outcome = ApplyOutcome.Configured };
    }
}
