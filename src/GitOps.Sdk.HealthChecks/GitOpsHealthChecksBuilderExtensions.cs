using GitOps.Sdk.HealthChecks;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the GitOps health check to <see cref="IHealthChecksBuilder"/>.</summary>
public static class GitOpsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check over every application of <see cref="IGitOpsController"/> (register the engine with
    /// <c>AddGitOps()</c>): Unhealthy while an application's last reconcile failed, Degraded while one is out of sync
    /// longer than <see cref="GitOpsHealthCheckOptions.OutOfSyncThreshold"/>, Healthy otherwise. Suspended applications
    /// do not count. The result's data holds one entry per application (sync, health, reason, suspended); the
    /// description names the failing applications. Options are validated at start-up.
    /// </summary>
    /// <param name="builder">The health checks builder from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="configure">Sets the options of this registration.</param>
    /// <param name="name">The check's name, also the name of its options. <value>Default: <c>gitops</c>.</value></param>
    /// <param name="tags">Tags for filtering (e.g. <c>ready</c>).</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddHealthChecks().AddGitOpsHealthChecks(o =&gt; o.OutOfSyncThreshold = TimeSpan.FromMinutes(10));
    /// app.MapHealthChecks("/healthz");
    /// </code>
    /// </example>
    public static IHealthChecksBuilder AddGitOpsHealthChecks(
        this IHealthChecksBuilder builder,
        Action<GitOpsHealthCheckOptions>? configure = null,
        string name = "gitops",
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = builder.Services.AddOptions<GitOpsHealthCheckOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitOpsHealthCheckOptions>, GitOpsHealthCheckOptionsValidator>());
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new GitOpsHealthCheck(
                sp.GetRequiredService<IGitOpsController>(),
                sp.GetRequiredService<IOptionsMonitor<GitOpsHealthCheckOptions>>().Get(name),
                sp.GetService<TimeProvider>() ?? TimeProvider.System),
            failureStatus: null,
            tags));
    }
}
