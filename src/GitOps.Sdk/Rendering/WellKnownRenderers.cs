namespace GitOps.Sdk.Rendering;

/// <summary>
/// The detection of the renderers that ship as their own packages, with the call that registers each, used only for
/// the error when a folder holds their input but they were not registered (the engine cannot ask a renderer it does not
/// have). A registered renderer of the same name is asked for its own <see cref="IRenderer.Detection"/> instead; the
/// packages' tests check that this table says what their renderers declare.
/// </summary>
internal static class WellKnownRenderers
{
    /// <summary>Gets the well-known renderers: name, what they detect, and the registration to call.</summary>
    public static IReadOnlyList<(string Name, RendererDetection Detection, string Registration)> All { get; } =
    [
        ("kustomize", new RendererDetection { MarkerFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"], Priority = RendererDetection.KustomizePriority }, "AddKustomizeRenderer()"),
        ("helm", new RendererDetection { MarkerFiles = ["Chart.yaml"], ArtifactKinds = [ArtifactKinds.HelmChart], Priority = RendererDetection.HelmPriority }, "AddHelmRenderer()"),
    ];
}
