using GitOps.Sdk.Manifests;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Kubernetes.Applications.Tests;

public sealed class GitOpsApplicationResourceTests
{
    [Fact]
    public void GetCrdYaml_IsTheFileUnderDeployCrds()
    {
        var file = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "deploy", "crds", "gitopsapplications.gitops.sdk.io.yaml"));

        GitOpsApplicationResource.GetCrdYaml().Should().Be(file);
    }

    [Fact]
    public void Crd_NamesTheResourceAndPrintsReadyRevisionAndObjects()
    {
        var read = new ManifestReader().Read(GitOpsApplicationResource.GetCrdYaml(), "crd.yaml");

        read.Succeeded.Should().BeTrue();
        var crd = read.Objects.Should().ContainSingle().Subject;
        crd.Name.Should().Be(GitOpsApplicationResource.CrdName);
        var spec = crd.Json.GetProperty("spec");
        spec.GetProperty("group").GetString().Should().Be(GitOpsApplicationResource.Group);
        spec.GetProperty("names").GetProperty("kind").GetString().Should().Be(GitOpsApplicationResource.Kind);
        spec.GetProperty("names").GetProperty("plural").GetString().Should().Be(GitOpsApplicationResource.Plural);
        var version = spec.GetProperty("versions")[0];
        version.GetProperty("name").GetString().Should().Be(GitOpsApplicationResource.Version);
        version.GetProperty("subresources").TryGetProperty("status", out _).Should().BeTrue();
        version.GetProperty("additionalPrinterColumns").EnumerateArray().Select(static c => $"{c.GetProperty("name").GetString()}={c.GetProperty("jsonPath").GetString()}")
            .Should().Contain(["Ready=.status.conditions[?(@.type==\"Ready\")].status", "Revision=.status.lastAppliedRevision", "Objects=.status.inventory.total"]);
    }
}
