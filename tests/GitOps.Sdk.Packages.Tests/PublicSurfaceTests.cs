namespace GitOps.Sdk.Packages.Tests;

/// <summary>
/// Plumbing the engine and the Kubernetes target use inside themselves stays internal (docs/architecture.md, "Public
/// surface"): a host builds these through <c>AddGitOps()</c>/<c>AddKubernetesTarget()</c>, never by hand.
/// </summary>
public sealed class PublicSurfaceTests
{
    public static TheoryData<string, string> Plumbing => new()
    {
        { "GitOps.Sdk", "GitOps.Sdk.Planning.KindOrder" },
        { "GitOps.Sdk", "GitOps.Sdk.Planning.Planner" },
        { "GitOps.Sdk", "GitOps.Sdk.Health.HealthAggregator" },
        { "GitOps.Sdk", "GitOps.Sdk.Health.BuiltInHealthAssessor" },
        { "GitOps.Sdk", "GitOps.Sdk.Rendering.PlainDirectoryRenderer" },
        { "GitOps.Sdk", "GitOps.Sdk.Rendering.ClusterScopedKinds" },
        { "GitOps.Sdk.Kubernetes", "GitOps.Sdk.Kubernetes.KubernetesRestMapper" },
        { "GitOps.Sdk.Kubernetes", "GitOps.Sdk.Kubernetes.RestMapping" },
        { "GitOps.Sdk.Kubernetes", "GitOps.Sdk.Kubernetes.RestMappingException" },
        { "GitOps.Sdk.Kubernetes", "GitOps.Sdk.Kubernetes.DryRunNormalizer" },
        { "GitOps.Sdk.Kubernetes", "GitOps.Sdk.Kubernetes.KubernetesContainerContents" },
        { "GitOps.Sdk.Kubernetes", "GitOps.Sdk.Kubernetes.KubernetesReservedObjects" },
    };

    [Theory]
    [MemberData(nameof(Plumbing))]
    public void PlumbingType_IsInternal(string package, string typeName)
    {
        var assembly = ShippedAssemblies.All.Single(a => a.Package == package).Assembly;

        var type = assembly.GetType(typeName, throwOnError: true)!;

        type.IsPublic.Should().BeFalse($"{typeName} is plumbing of {package}");
    }

    [Theory]
    [InlineData("GitOps.Sdk.Kubernetes.KubernetesResourceWriter")]
    [InlineData("GitOps.Sdk.Kubernetes.KubernetesLiveState")]
    public void KubernetesTargetParts_HaveNoPublicConstructor_BecauseTheyTakeTheInternalMapper(string typeName)
    {
        var type = ShippedAssemblies.All.Single(a => a.Package == "GitOps.Sdk.Kubernetes").Assembly.GetType(typeName, throwOnError: true)!;

        type.IsPublic.Should().BeTrue();
        type.GetConstructors().Should().BeEmpty("AddKubernetesTarget() builds it");
    }
}
