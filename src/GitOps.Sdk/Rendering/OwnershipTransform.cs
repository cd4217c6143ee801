using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Rendering;

/// <summary>
/// Last step (<see cref="Order"/> 1000): marks every object as owned by the application, with the tracking label
/// (<see cref="RenderStageOptions.TrackingLabel"/> = application name) and the tracking id annotation
/// (<see cref="RenderStageOptions.TrackingIdAnnotation"/> = <c>application:group/Kind:namespace/name</c>). It runs last so
/// that the id names the object's final identity; prune and adoption compare both marks, so a label copied onto a
/// foreign object does not make it ours.
/// </summary>
public sealed partial class OwnershipTransform : IRenderTransform
{
    private readonly string _label;
    private readonly string _annotation;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The render stage settings (mark names).</param>
    public OwnershipTransform(IOptions<RenderStageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _label = options.Value.TrackingLabel;
        _annotation = options.Value.TrackingIdAnnotation;
    }

    /// <inheritdoc />
    public int Order => 1000;

    /// <summary>Returns the tracking id of <paramref name="key"/> for <paramref name="application"/>.</summary>
    /// <param name="application">The application name.</param>
    /// <param name="key">The object's identity.</param>
    /// <returns><c>application:group/Kind:namespace/name</c>.</returns>
    public static string TrackingId(string application, ResourceKey key) =>
        string.Concat(application, ":", key.Group, "/", key.Kind, ":", key.Namespace, "/", key.Name);

    /// <inheritdoc />
    public ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var application = context.Options.ApplicationName;
        if (application.Length > 63 || !LabelValue().IsMatch(application))
        {
            return ValueTask.FromResult(RenderResult.Failure(
            [
                new ManifestError($"the application name '{application}' cannot be used as the value of the tracking label '{_label}': at most 63 characters, alphanumerics, '-', '_' or '.', starting and ending alphanumeric")
                {
                    Code = "invalid-application-name",
                },
            ]));
        }

        var result = TransformHelpers.Map(state, obj =>
        {
            var id = TrackingId(application, obj.Key);
            if (string.Equals(TransformHelpers.MetadataValue(obj, "labels", _label), application, StringComparison.Ordinal)
                && string.Equals(TransformHelpers.MetadataValue(obj, "annotations", _annotation), id, StringComparison.Ordinal))
            {
                return obj;
            }

            return obj.With(node =>
            {
                TransformHelpers.MetadataMap(node, "labels")[_label] = application;
                TransformHelpers.MetadataMap(node, "annotations")[_annotation] = id;
            });
        });
        return ValueTask.FromResult(RenderResult.Success(result));
    }

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LabelValue();
}
