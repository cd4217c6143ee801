using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Manifests;

namespace GitOps.Sdk.Tests.Reconciliation;

// Stand-in for the default render stage until it lands on main.
internal sealed class TestRenderStage : IRenderStage
{
    public ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken)
    {
        var reader = new ManifestReader();
        var objects = ImmutableArray.CreateBuilder<KubeObject>();
        var errors = new List<ManifestError>();
        foreach (var file in Directory.GetFiles(artifact.ContentDirectory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var result = reader.ReadFile(file, Path.GetRelativePath(artifact.RootDirectory, file));
            errors.AddRange(result.Errors.IsDefault ? [] : result.Errors);
            foreach (var o in result.Objects.IsDefault ? [] : result.Objects)
            {
                objects.Add(o.With(n =>
                {
                    var m = (JsonObject)n["metadata"]!;
                    if (m["namespace"] is null && o.Kind != "Namespace" && options.Namespace is not null)
                    {
                        m["namespace"] = options.Namespace;
                    }

                    var labels = m["labels"] as JsonObject ?? new JsonObject();
                    labels[WellKnown.ApplicationLabel] = options.ApplicationName;
                    m["labels"] = labels;
                }));
            }
        }

        return ValueTask.FromResult(errors.Count > 0
            ? RenderResult.Failure(errors, "plain")
            : RenderResult.Success(new DesiredState { Objects = objects.ToImmutable() }, "plain"));
    }
}
