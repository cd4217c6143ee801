namespace GitOps.Sdk.Rendering;

/// <summary>
/// Step 1b (<see cref="Order"/> 150): when <see cref="RenderOptions.CreateNamespace"/> is set, adds the target namespace
/// <see cref="RenderOptions.Namespace"/> to the desired state as a <c>v1/Namespace</c> object, unless the source declares
/// it already. Being desired state, it is ordered first, marked by <see cref="OwnershipTransform"/> and recorded in the
/// inventory like any other object, so only the application that created it may prune it (and prune refuses a
/// namespace that still holds objects outside the prune set).
/// </summary>
public sealed class CreateNamespaceTransform : IRenderTransform
{
    /// <summary>The origin file name given to the added namespace, so messages say where it came from.</summary>
    public const string OriginFile = "(CreateNamespace)";

    /// <inheritdoc />
    public int Order => 150;

    /// <inheritdoc />
    public ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var ns = context.Options.Namespace;
        if (!context.Options.CreateNamespace || string.IsNullOrEmpty(ns))
        {
            return ValueTask.FromResult(RenderResult.Success(state));
        }

        var objects = state.Objects.IsDefault ? [] : state.Objects;
        if (objects.Any(o => o.Group.Length == 0 && o.Kind == "Namespace" && string.Equals(o.Name, ns, StringComparison.Ordinal)))
        {
            return ValueTask.FromResult(RenderResult.Success(state));
        }

        var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new Dictionary<string, string> { ["name"] = ns },
        });
        var created = KubeObject.Parse(json, new ObjectOrigin(OriginFile, 0));
        return ValueTask.FromResult(RenderResult.Success(state with { Objects = objects.Insert(0, created) }));
    }
}
