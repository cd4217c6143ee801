using GitOps.Sdk.Helm.Rendering;
using GitOps.Sdk.Kustomize.Rendering;
using GitOps.Sdk.Manifests;
using GitOps.Sdk.Rendering;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Packages.Tests;

/// <summary>
/// The renderer packages declare their own detection; the engine keeps a copy of it only for the error when a folder
/// holds their input but the package was not registered. These tests keep the copy equal to the declarations.
/// </summary>
public sealed class RendererDetectionTests : IDisposable
{
    private readonly TempDirectory _temp = new("package-detection");

    public static TheoryData<string, string> PackageRenderers => new()
    {
        { "kustomize", "AddKustomizeRenderer()" },
        { "helm", "AddHelmRenderer()" },
    };

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(PackageRenderers))]
    public void EveryDeclaredMarkerAndKind_PicksTheRendererOrNamesItsRegistration(string name, string registration)
    {
        var renderer = Renderer(name);
        var detection = renderer.Detection;
        detection.IsEmpty.Should().BeFalse();
        var evidence = detection.MarkerFiles.Select(m => (Marker: (string?)m, Kind: (string?)null))
            .Concat(detection.ArtifactKinds.Select(k => (Marker: (string?)null, Kind: (string?)k)));
        foreach (var (marker, kind) in evidence)
        {
            var folder = _temp.Combine(marker ?? "kind-" + kind);
            Directory.CreateDirectory(folder);
            if (marker is not null)
            {
                File.WriteAllText(Path.Combine(folder, marker), "x: 1");
            }

            var artifact = Artifact(folder, kind);
            var plain = new StubRenderer("plain", RendererDetection.None);

            new RenderStage([plain, renderer], []).SelectRenderer(artifact, new RenderOptions(), out _).Should().BeSameAs(renderer, marker ?? kind);
            new RenderStage([plain], []).SelectRenderer(artifact, new RenderOptions(), out var missing).Should().BeNull();
            missing.Should().Contain($"'{name}' renderer, which is not registered (call {registration}", marker ?? kind);

            // Same priority as the declaration: the engine's copy ties with a renderer declaring the same evidence.
            var rival = new StubRenderer("rival", detection with { Priority = detection.Priority });
            new RenderStage([plain, rival], []).SelectRenderer(artifact, new RenderOptions(), out var tie).Should().BeNull();
            tie.Should().Contain($"'{name}'").And.Contain("'rival'").And.Contain($"priority {detection.Priority}");
        }
    }

    [Fact]
    public void KustomizeOutranksHelm_AsBeforeDeclarations()
    {
        Renderer("kustomize").Detection.Priority.Should().BeGreaterThan(Renderer("helm").Detection.Priority);
    }

    private static IRenderer Renderer(string name) => name switch
    {
        "kustomize" => new KustomizeRenderer(Options.Create(new KustomizeRendererOptions()), new ManifestReader()),
        _ => new HelmRenderer(Options.Create(new HelmRendererOptions()), new ManifestReader()),
    };

    private static SourceArtifact Artifact(string folder, string? kind) => new()
    {
        Source = new SourceReference { Url = "https://git.example/shop.git" },
        Revision = "r1",
        Digest = "sha256:00",
        RootDirectory = folder,
        ArtifactKind = kind,
    };

    private sealed class StubRenderer(string name, RendererDetection detection) : IRenderer
    {
        public string Name => name;

        public RendererDetection Detection => detection;

        public bool CanRender(SourceArtifact artifact, RenderOptions options) => false;

        public ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RenderResult.Success(DesiredState.Empty, Name));
    }
}
