namespace GitOps.Sdk.Health;

/// <summary>
/// Assesses one live object's health with the engine's rules (the registered assessors first, then the built-in rules
/// for Kubernetes kinds), as the reconciler does; for tools that report on a cluster without reconciling.
/// </summary>
/// <example>
/// <code>
/// var health = new ObjectHealth(services.GetServices&lt;IHealthAssessor&gt;());
/// HealthResult result = health.Assess(liveDeployment); // Healthy, Progressing, Degraded, Missing for null...
/// </code>
/// </example>
public sealed class ObjectHealth
{
    private readonly HealthAggregator _aggregator;

    /// <summary>Initializes a new instance with the built-in rules only.</summary>
    public ObjectHealth()
        : this([])
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="assessors">Assessors asked before the built-in rules, in order; the first non-null answer wins.</param>
    public ObjectHealth(IEnumerable<IHealthAssessor> assessors)
    {
        _aggregator = new HealthAggregator(assessors ?? throw new ArgumentNullException(nameof(assessors)));
    }

    /// <summary>Assesses <paramref name="live"/>; <see langword="null"/> (absent) is <see cref="HealthStatus.Missing"/>.</summary>
    /// <param name="live">The live object.</param>
    /// <returns>Its health.</returns>
    public HealthResult Assess(KubeObject? live) => _aggregator.Assess(live);
}
