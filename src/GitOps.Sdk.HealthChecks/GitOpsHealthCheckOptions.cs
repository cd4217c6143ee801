using Microsoft.Extensions.Options;

namespace GitOps.Sdk.HealthChecks;

/// <summary>Options of the GitOps health check (<c>AddGitOpsHealthChecks</c>), one set per registration name.</summary>
public sealed class GitOpsHealthCheckOptions
{
    /// <summary>
    /// Gets or sets how long an application may stay out of sync (its <c>Drifted</c> condition true: detect-only
    /// drift, a plan held for approval, refused objects) before the check reports <c>Degraded</c>.
    /// <value>Default: 5 minutes. Zero reports Degraded as soon as an application is out of sync; negative is invalid.</value>
    /// </summary>
    public TimeSpan OutOfSyncThreshold { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Validates <see cref="GitOpsHealthCheckOptions"/> at start-up.</summary>
internal sealed class GitOpsHealthCheckOptionsValidator : IValidateOptions<GitOpsHealthCheckOptions>
{
    public ValidateOptionsResult Validate(string? name, GitOpsHealthCheckOptions options) =>
        options.OutOfSyncThreshold < TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"GitOps health check '{name}': OutOfSyncThreshold must not be negative (was {options.OutOfSyncThreshold}).")
            : ValidateOptionsResult.Success;
}
