using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk;

/// <summary>
/// Returned by <c>services.AddGitOps(...)</c>; every plugin package adds its <c>AddXxx()</c> extension method on it
/// (in namespace <c>Microsoft.Extensions.DependencyInjection</c>), e.g. <c>.AddGitSource().AddKubernetesTarget()</c>.
/// </summary>
public interface IGitOpsBuilder
{
    /// <summary>Gets the service collection the engine is registered in.</summary>
    IServiceCollection Services { get; }
}
