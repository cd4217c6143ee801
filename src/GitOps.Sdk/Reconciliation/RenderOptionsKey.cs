using System.Collections.Immutable;

namespace GitOps.Sdk.Reconciliation;

/// <summary>A key of everything in <see cref="RenderOptions"/> that changes a render: a new key renders the same revision again.</summary>
internal static class RenderOptionsKey
{
    public static string Of(RenderOptions o) =>
        string.Join(
            "\u001f",
            o.Renderer,
            o.Namespace,
            o.CreateNamespace ? "create-namespace" : string.Empty,
            string.Join(",", (o.RendererOptions ?? ImmutableDictionary<string, IRendererOptions>.Empty)
                .OrderBy(static p => p.Key, StringComparer.OrdinalIgnoreCase)
                .Select(static p => $"{p.Key.ToLowerInvariant()}={p.Value.GetType().FullName}:{p.Value.CacheKey}")),
            string.Join(",", o.CommonLabels.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => $"{p.Key}={p.Value}")),
            string.Join(",", o.Variables.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => $"{p.Key}={p.Value}")),
            string.Join(",", o.Properties.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => $"{p.Key}={p.Value}")));
}
