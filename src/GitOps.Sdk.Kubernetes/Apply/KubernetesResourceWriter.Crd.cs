using System.Text.Json;

namespace GitOps.Sdk.Kubernetes;

/// <summary>The wait until a CustomResourceDefinition is established and its kinds are served.</summary>
public sealed partial class KubernetesResourceWriter
{
    private const string CrdGroup = "apiextensions.k8s.io";

    /// <inheritdoc />
    /// <remarks>
    /// Polls the definition until its <c>Established</c> condition is <c>True</c>, then reads discovery of its group
    /// again until every served version serves the kind (a real server may lag behind the condition), all within
    /// <see cref="KubernetesTargetOptions.CrdEstablishedTimeout"/> each.
    /// </remarks>
    public async ValueTask<ReadinessResult> WaitEstablishedAsync(KubeObject definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var crdName = definition.Name;
        var (group, kind, versions) = ReadDefinition(definition);
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
                    break;
                }

                last = message ?? "not established yet";
            }
            else
            {
                last = response.Describe();
            }

            if (_client.Time.GetUtcNow() >= deadline)
            {
                return ReadinessResult.NotReady($"its CustomResourceDefinition {crdName} did not become Established within {_client.Options.CrdEstablishedTimeout.TotalSeconds:0.###} s (KubernetesTargetOptions.CrdEstablishedTimeout; last seen: {last})");
            }

            await Task.Delay(delay, _client.Time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }

        if (kind is null)
        {
            return ReadinessResult.Ready;
        }

        try
        {
            foreach (var version in versions)
            {
                await _mapper.MapWhenServedAsync($"{group}/{version}", kind, crdName, _client.Options.CrdEstablishedTimeout, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RestMappingException ex)
        {
            return ReadinessResult.NotReady(ex.Message);
        }
        catch (KubernetesApiException ex)
        {
            return ReadinessResult.NotReady(ex.Message);
        }

        return ReadinessResult.Ready;
    }

    private static (string Group, string? Kind, List<string> Versions) ReadDefinition(KubeObject crd)
    {
        var versions = new List<string>();
        if (!crd.Json.TryGetProperty("spec", out var spec))
        {
            return (string.Empty, null, versions);
        }

        var group = Informer.ReadString(spec, "group") ?? string.Empty;
        var kind = spec.TryGetProperty("names", out var names) ? Informer.ReadString(names, "kind") : null;
        if (spec.TryGetProperty("versions", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var v in list.EnumerateArray())
            {
                var served = !v.TryGetProperty("served", out var s) || s.ValueKind != JsonValueKind.False;
                if (served && Informer.ReadString(v, "name") is { } name)
                {
                    versions.Add(name);
                }
            }
        }

        return (group, kind, versions);
    }

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
}
