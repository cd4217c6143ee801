namespace GitOps.Sdk.Health;

/// <summary>Runs a chain of assessors and combines object health into application health.</summary>
internal sealed class HealthAggregator
{
    private readonly IHealthAssessor[] _chain;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="hostAssessors">Assessors asked first, in order; the first non-null answer wins. The built-in rules come last.</param>
    public HealthAggregator(IEnumerable<IHealthAssessor> hostAssessors)
    {
        ArgumentNullException.ThrowIfNull(hostAssessors);
        _chain = [.. hostAssessors.Where(static a => a is not BuiltInHealthAssessor), BuiltInHealthAssessor.Instance];
    }

    /// <summary>Assesses one live object; <see langword="null"/> (absent) is <see cref="HealthStatus.Missing"/>.</summary>
    /// <param name="live">The live object.</param>
    /// <returns>Its health.</returns>
    public HealthResult Assess(KubeObject? live)
    {
        if (live is null)
        {
            return new HealthResult(HealthStatus.Missing, "The object does not exist");
        }

        foreach (var assessor in _chain)
        {
            HealthResult? result;
            try
            {
                result = assessor.Assess(live);
            }
#pragma warning disable CA1031 // A broken host assessor must not break reconciling; the object's health is then unknown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return new HealthResult(HealthStatus.Unknown, $"health assessor {assessor.GetType().Name} failed: {ex.Message}");
            }

            if (result is not null)
            {
                return result;
            }
        }

        return HealthResult.Healthy;
    }

    /// <summary>Returns the worst of <paramref name="results"/> (order of <see cref="HealthStatus"/>); healthy when empty.</summary>
    /// <param name="results">Object health, with the object for the message.</param>
    /// <returns>The application's health; its message names the worst object.</returns>
    public static HealthResult Worst(IEnumerable<(ResourceKey Key, HealthResult Health)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        (ResourceKey Key, HealthResult Health)? worst = null;
        foreach (var r in results)
        {
            if (worst is null || r.Health.Status > worst.Value.Health.Status)
            {
                worst = r;
            }
        }

        if (worst is null || worst.Value.Health.Status == HealthStatus.Healthy)
        {
            return HealthResult.Healthy;
        }

        var (key, health) = worst.Value;
        return new HealthResult(health.Status, health.Message is null ? key.ToString() : $"{key}: {health.Message}");
    }
}
