namespace GitOps.Sdk;

/// <summary>
/// Assesses the health of live objects. The engine asks every registered assessor in turn; the first non-null
/// answer wins, so a host's assessor registered for a group/kind overrides the built-in rules.
/// </summary>
/// <example>
/// <code>
/// public sealed class DatabaseHealth : IHealthAssessor
/// {
///     public HealthResult? Assess(KubeObject live) =&gt;
///         live.Kind == "Database" ? new HealthResult(HealthStatus.Healthy, "accepting connections") : null;
/// }
/// </code>
/// </example>
public interface IHealthAssessor
{
    /// <summary>Assesses <paramref name="live"/>.</summary>
    /// <param name="live">The live object.</param>
    /// <returns>The health, or <see langword="null"/> when this assessor has no rule for the object.</returns>
    HealthResult? Assess(KubeObject live);
}

/// <summary>Health of one object or of an application.</summary>
/// <param name="Status">The status.</param>
/// <param name="Message">Why, in words.</param>
public sealed record HealthResult(HealthStatus Status, string? Message = null)
{
    /// <summary>Gets a healthy result with no message.</summary>
    public static HealthResult Healthy { get; } = new(HealthStatus.Healthy);
}

/// <summary>Health states, ordered from best to worst: the application's health is its worst child's.</summary>
public enum HealthStatus
{
    /// <summary>Working as intended.</summary>
    Healthy = 0,

    /// <summary>Paused or waiting for an external event (suspended CronJob, paused Deployment).</summary>
    Suspended = 1,

    /// <summary>Not yet healthy but still moving towards it.</summary>
    Progressing = 2,

    /// <summary>Declared but not present.</summary>
    Missing = 3,

    /// <summary>Failed or cannot reach health.</summary>
    Degraded = 4,

    /// <summary>Health could not be determined.</summary>
    Unknown = 5,
}
