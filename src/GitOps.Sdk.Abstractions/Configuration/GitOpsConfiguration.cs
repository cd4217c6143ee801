using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk;

/// <summary>
/// The configuration the engine reads, registered by <c>AddGitOps(IConfiguration)</c>: the <c>GitOps</c> section of the
/// configuration it was given, or that configuration itself when it has no such section. Packages bind their own part of
/// it (see <see cref="GitOpsConfigurationPart"/>).
/// </summary>
public sealed class GitOpsConfiguration
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="configuration">The <c>GitOps</c> section or its parent.</param>
    public GitOpsConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Configuration = configuration;
    }

    /// <summary>Gets the configuration as given.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>
    /// Gets a value indicating whether <see cref="Section"/> is known to be the <c>GitOps</c> section (a child named so,
    /// or a section given directly), so that every key in it must be a GitOps key.
    /// </summary>
    public bool IsDedicatedSection => Configuration.GetSection(SectionName).Exists() || Configuration is IConfigurationSection;

    /// <summary>Gets the section the settings are in, decided at each call (a reloaded file may add the <c>GitOps</c> section).</summary>
    public IConfiguration Section => Configuration.GetSection(SectionName) is { } gitops && gitops.Exists() ? gitops : Configuration;

    /// <summary>Gets the name of the configuration section, <c>GitOps</c>.</summary>
    public static string SectionName => "GitOps";
}

/// <summary>
/// A part of the <c>GitOps</c> configuration section that a package binds onto its options type, registered as a
/// singleton by the package's <c>AddXxx()</c> method: e.g. <c>Target</c> onto <c>KubernetesTargetOptions</c>, so that
/// <c>GitOps:Target:Context</c> sets <c>KubernetesTargetOptions.Context</c>. The engine's start-up check knows the keys
/// of every part (the public settable properties of <see cref="OptionsType"/>) and validates its options with the rest.
/// </summary>
/// <param name="Key">The key under <c>GitOps</c>, such as <c>Target</c> or <c>Sources:Git</c>.</param>
/// <param name="OptionsType">The options type bound from it.</param>
public sealed record GitOpsConfigurationPart(string Key, Type OptionsType);
