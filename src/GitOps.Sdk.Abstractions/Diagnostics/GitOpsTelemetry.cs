using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GitOps.Sdk;

/// <summary>
/// The one <see cref="System.Diagnostics.Metrics.Meter"/> and the one <see cref="System.Diagnostics.ActivitySource"/> of
/// the engine and every plugin, both named <c>GitOps.Sdk</c>. <c>services.AddGitOps()</c> registers one instance whose
/// meter comes from the host's <see cref="IMeterFactory"/>; a plugin takes it from the container and creates its
/// instruments on <see cref="Meter"/>. <see cref="Shared"/> is only for parts constructed without a container.
/// </summary>
/// <remarks>
/// Instruments (tags <c>gitops.application</c>, <c>gitops.outcome</c>, <c>gitops.stage</c>, <c>gitops.renderer</c>,
/// <c>gitops.source.url</c>): <c>gitops.reconcile.duration</c> (seconds), <c>gitops.drift.count</c>,
/// <c>gitops.apply.objects</c>, <c>gitops.errors</c>, <c>gitops.render.duration</c> (seconds),
/// <c>gitops.render.cache.hits</c>, <c>gitops.render.cache.misses</c>, <c>gitops.source.git.fetches</c>. Spans:
/// <c>gitops.reconcile</c> with a child per stage.
/// </remarks>
/// <example>
/// <code>
/// public sealed class TarballSourceProvider(GitOpsTelemetry? telemetry = null) : ISourceProvider
/// {
///     private readonly Counter&lt;long&gt; _downloads = (telemetry ?? GitOpsTelemetry.Shared).Meter
///         .CreateCounter&lt;long&gt;("gitops.source.tarball.downloads", "{download}");
///     // ...
/// }
/// </code>
/// </example>
public sealed class GitOpsTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "GitOps.Sdk";

    private static readonly string? Version = typeof(GitOpsTelemetry).Assembly.GetName().Version?.ToString();
    private static readonly ActivitySource Source = new(Name, Version);
    private static readonly Lazy<GitOpsTelemetry> SharedInstance = new(static () => new GitOpsTelemetry(new Meter(Name, Version)));

    /// <summary>Initializes a new instance whose meter is created (and later disposed) by <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    public GitOpsTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(new MeterOptions(Name) { Version = Version });
    }

    private GitOpsTelemetry(Meter meter) => Meter = meter;

    /// <summary>
    /// Gets the process-wide instance for parts constructed without a container (its meter is not made by a factory).
    /// </summary>
    public static GitOpsTelemetry Shared => SharedInstance.Value;

    /// <summary>Gets the meter every instrument of the engine and the plugins is created on.</summary>
    public Meter Meter { get; }

    /// <summary>Gets the activity source (one per process, whichever instance asks).</summary>
    public ActivitySource ActivitySource => Source;
}
