using System.Collections.Immutable;
using GitOps.Sdk.Rendering;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Tests.Rendering;

/// <summary>A renderer that returns fixed objects and counts its calls, to test the stage around it.</summary>
internal sealed class RecordingRenderer(string name, Func<SourceArtifact, bool>? canRender = null, params string[] objects) : IRenderer
{
    private int _calls;

    public string Name => name;

    public int Calls => _calls;

    public RendererDetection Detection { get; init; } = RendererDetection.None;

    public ImmutableArray<ManifestError> Errors { get; set; } = [];

    public bool CanRender(SourceArtifact artifact, RenderOptions options) => canRender?.Invoke(artifact) ?? false;

    public ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (!Errors.IsDefaultOrEmpty)
        {
            return ValueTask.FromResult(RenderResult.Failure(Errors, Name));
        }

        var parsed = objects.Select((json, i) => KubeObject.Parse(json, new ObjectOrigin($"{name}.yaml", i))).ToImmutableArray();
        return ValueTask.FromResult(RenderResult.Success(new DesiredState { Objects = parsed }, Name));
    }
}

internal static class RenderingTestKit
{
    /// <summary>What the Kustomize package's renderer declares (GitOps.Sdk.Packages.Tests checks the real one says the same).</summary>
    public static RendererDetection KustomizeDetection { get; } = new() { MarkerFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"], Priority = RendererDetection.KustomizePriority };

    /// <summary>What the Helm package's renderer declares.</summary>
    public static RendererDetection HelmDetection { get; } = new() { MarkerFiles = ["Chart.yaml"], ArtifactKinds = [ArtifactKinds.HelmChart], Priority = RendererDetection.HelmPriority };

    public static SourceArtifact Artifact(string root, string path = "", string digest = "sha256:abc", string? kind = null) => new()
    {
        Source = new SourceReference { Url = "https://git.example/shop.git" },
        Revision = "main@sha1:0123456789abcdef0123456789abcdef01234567",
        Digest = digest,
        RootDirectory = root,
        Path = path,
        ArtifactKind = kind,
    };

    public static IOptions<RenderStageOptions> Options(Action<RenderStageOptions>? configure = null)
    {
        var options = new RenderStageOptions();
        configure?.Invoke(options);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    public static IRenderTransform[] BuiltInTransforms(IOptions<RenderStageOptions>? options = null)
    {
        options ??= Options();
        return [new OwnershipTransform(options), new VariableSubstitutionTransform(), new CommonMetadataTransform(), new DefaultNamespaceTransform(options)];
    }

    public static DesiredState State(params string[] objects) => new()
    {
        Objects = [.. objects.Select((json, i) => KubeObject.Parse(json, new ObjectOrigin("app/manifests.yaml", i)))],
    };

    public static RenderTransformContext Context(RenderOptions options) => new() { Artifact = Artifact("/tmp/none"), Options = options };

    public static string ConfigMap(string name, string? ns = null, string data = "{}") =>
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\""
        + (ns is null ? string.Empty : ",\"namespace\":\"" + ns + "\"") + "},\"data\":" + data + "}";

    public static string Object(string apiVersion, string kind, string name) =>
        $$$"""{"apiVersion":"{{{apiVersion}}}","kind":"{{{kind}}}","metadata":{"name":"{{{name}}}"}}""";
}

/// <summary>Renderer-specific settings as a third-party renderer would define them: a setting and files it points at.</summary>
internal sealed record SampleRendererOptions(string Setting, params string[] Files) : IRendererOptions
{
    public string CacheKey => Setting + "\n" + string.Join("\n", Files);

    public IReadOnlyList<string> ReferencedFiles => Files;
}
