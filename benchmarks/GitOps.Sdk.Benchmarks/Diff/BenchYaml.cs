using GitOps.Sdk.Manifests;

namespace GitOps.Sdk.Benchmarks.Diff;

/// <summary>Loads the corpus' desired YAML with the manifest reader, as the pipeline does.</summary>
internal static class BenchYaml
{
    private static readonly ManifestReader Reader = new();

    public static KubeObject Load(string yaml)
    {
        var result = Reader.Read(yaml, "desired.yaml");
        return result.Succeeded && result.Objects.Length == 1
            ? result.Objects[0]
            : throw new InvalidOperationException("desired.yaml must hold exactly one valid object.");
    }
}
