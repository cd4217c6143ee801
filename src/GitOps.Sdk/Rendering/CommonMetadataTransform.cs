namespace GitOps.Sdk.Rendering;

/// <summary>
/// Step 2 (<see cref="Order"/> 200): adds <see cref="RenderOptions.CommonLabels"/> and
/// <see cref="RenderOptions.CommonAnnotations"/> to the <c>metadata</c> of every object (a value set here wins over the
/// rendered one). Unlike Kustomize's <c>commonLabels</c>, selectors and pod templates are not touched, because a
/// Deployment's selector is immutable and changing it would break the next apply.
/// </summary>
public sealed class CommonMetadataTransform : IRenderTransform
{
    /// <inheritdoc />
    public int Order => 200;

    /// <inheritdoc />
    public ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var labels = context.Options.CommonLabels;
        var annotations = context.Options.CommonAnnotations;
        if (labels.Count == 0 && annotations.Count == 0)
        {
            return ValueTask.FromResult(RenderResult.Success(state));
        }

        var result = TransformHelpers.Map(state, obj =>
        {
            if (TransformHelpers.HasAll(obj, "labels", labels) && TransformHelpers.HasAll(obj, "annotations", annotations))
            {
                return obj;
            }

            return obj.With(node =>
            {
                if (labels.Count > 0)
                {
                    var map = TransformHelpers.MetadataMap(node, "labels");
                    foreach (var (k, v) in labels)
                    {
                        map[k] = v;
                    }
                }

                if (annotations.Count > 0)
                {
                    var map = TransformHelpers.MetadataMap(node, "annotations");
                    foreach (var (k, v) in annotations)
                    {
                        map[k] = v;
                    }
                }
            });
        });
        return ValueTask.FromResult(RenderResult.Success(result));
    }
}
