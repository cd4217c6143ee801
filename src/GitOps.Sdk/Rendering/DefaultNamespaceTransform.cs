using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Rendering;

/// <summary>
/// Step 1 (<see cref="Order"/> 100): gives namespaced objects that have no <c>metadata.namespace</c> the application's
/// <see cref="RenderOptions.Namespace"/>. Cluster-scoped kinds are left alone: the built-in Kubernetes kinds
/// (<see cref="ClusterScopedKinds.BuiltIn"/>), the kinds in <see cref="RenderStageOptions.ClusterScopedKinds"/> and
/// kinds whose CustomResourceDefinition in the same desired state declares <c>scope: Cluster</c>. Objects that name a
/// namespace keep it.
/// </summary>
public sealed class DefaultNamespaceTransform : IRenderTransform
{
    private readonly HashSet<GroupKind> _extraClusterScoped;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The render stage settings (extra cluster-scoped kinds).</param>
    public DefaultNamespaceTransform(IOptions<RenderStageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _extraClusterScoped = [.. options.Value.ClusterScopedKinds.Select(ClusterScopedKinds.ParseGroupKind)];
    }

    /// <inheritdoc />
    public int Order => 100;

    /// <inheritdoc />
    public ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var ns = context.Options.Namespace;
        if (string.IsNullOrEmpty(ns))
        {
            return ValueTask.FromResult(RenderResult.Success(state));
        }

        var clusterScoped = new HashSet<GroupKind>(_extraClusterScoped);
        foreach (var obj in state.Objects)
        {
            if (CustomResourceScope(obj) is { } crd && crd.Cluster)
            {
                clusterScoped.Add(crd.Kind);
            }
        }

        var result = TransformHelpers.Map(state, obj =>
        {
            if (obj.Namespace.Length > 0)
            {
                return obj;
            }

            var gk = obj.Key.GroupKind;
            if (ClusterScopedKinds.BuiltIn.Contains(gk) || clusterScoped.Contains(gk))
            {
                return obj;
            }

            return obj.With(node =>
            {
                if (node["metadata"] is not JsonObject metadata)
                {
                    metadata = [];
                    node["metadata"] = metadata;
                }

                metadata["namespace"] = ns;
            });
        });
        return ValueTask.FromResult(RenderResult.Success(result));
    }

    /// <summary>Reads the kind and scope a CustomResourceDefinition declares.</summary>
    /// <param name="obj">Any object.</param>
    /// <returns>The declared kind and whether it is cluster-scoped, or <see langword="null"/> when <paramref name="obj"/> is not a CRD.</returns>
    internal static (GroupKind Kind, bool Cluster)? CustomResourceScope(KubeObject obj)
    {
        if (!string.Equals(obj.Group, "apiextensions.k8s.io", StringComparison.Ordinal)
            || !string.Equals(obj.Kind, "CustomResourceDefinition", StringComparison.Ordinal)
            || !obj.Json.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object
            || !spec.TryGetProperty("group", out var group) || group.ValueKind != JsonValueKind.String
            || !spec.TryGetProperty("names", out var names) || names.ValueKind != JsonValueKind.Object
            || !names.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var cluster = spec.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.String
            && string.Equals(scope.GetString(), "Cluster", StringComparison.Ordinal);
        return (new GroupKind(group.GetString()!, kind.GetString()!), cluster);
    }
}
