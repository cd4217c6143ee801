using GitOps.Sdk.Helm.Rendering;

namespace GitOps.Sdk.Helm.Tests.Rendering;

public sealed class HelmTemplateOutputTests
{
    [Fact]
    public void Split_DocumentsOfOneTemplate_ShareAChunkInOrder()
    {
        const string output = "---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/templates/a.yaml\nkind: B\n---\n# Source: web/templates/b.yaml\nkind: C\n";

        var chunks = HelmTemplateOutput.Split(output);

        chunks.Select(c => c.Source).Should().Equal("web/templates/a.yaml", "web/templates/b.yaml");
        chunks[0].Yaml.Should().Contain("kind: A").And.Contain("kind: B");
    }

    [Theory]
    [InlineData("web/templates/a.yaml", "", "templates/a.yaml")]
    [InlineData("web/templates/a.yaml", "deploy/web", "deploy/web/templates/a.yaml")]
    [InlineData("web/charts/db/templates/a.yaml", "web", "web/charts/db/templates/a.yaml")]
    public void ToArtifactPath_ReplacesChartNameWithFolder(string source, string chartPath, string expected) =>
        HelmTemplateOutput.ToArtifactPath(source, chartPath).Should().Be(expected);
}
