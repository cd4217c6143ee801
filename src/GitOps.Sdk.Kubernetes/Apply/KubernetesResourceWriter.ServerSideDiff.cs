namespace GitOps.Sdk.Kubernetes;

/// <summary>The server-side diff: what applying would store, asked of the server with a dry-run.</summary>
public sealed partial class KubernetesResourceWriter
{
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
}

/// <summary>The result of <see cref="KubernetesResourceWriter.ServerSideDiffAsync"/>.</summary>
/// <param name="Key">The object.</param>
/// <param name="Live">The live object, or <see langword="null"/> when it does not exist.</param>
/// <param name="Predicted">What the server would store after applying (normalized), or <see langword="null"/> when the dry-run failed.</param>
/// <param name="HasDrift">Whether applying would change anything (always <see langword="true"/> when the dry-run failed).</param>
public sealed record ServerSideDiff(ResourceKey Key, KubeObject? Live, KubeObject? Predicted, bool HasDrift)
{
    /// <summary>Gets why the dry-run failed (e.g. a 422 that only a repair by update can resolve), when it did.</summary>
    public string? Error { get; init; }
}
