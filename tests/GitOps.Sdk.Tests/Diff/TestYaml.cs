using GitOps.Sdk.Manifests;

namespace GitOps.Sdk.Tests.Diff;

/// <summary>Loads YAML test inputs as Kubernetes objects with the manifest reader, as the pipeline does.</summary>
internal static class TestYaml
{
    private static readonly ManifestReader Reader = new();

    public static KubeObject Load(string yaml)
    {
        var result = Reader.Read(yaml, "test.yaml");
        result.Errors.Should().BeEmpty();
        return result.Objects.Should().ContainSingle().Subject;
    }

    public static KubeObject LoadFile(string path)
    {
        var result = Reader.ReadFile(path, Path.GetFileName(path));
        result.Errors.Should().BeEmpty();
        return result.Objects.Should().ContainSingle().Subject;
    }
}
