using System.Text.Json.Nodes;
using GitOps.Sdk;
using Microsoft.Extensions.Options;

namespace GitOps.Samples.CustomSource;

/// <summary>Settings of <see cref="CostCenterTransform"/>.</summary>
public sealed class CostCenterOptions
{
    /// <summary>Gets or sets the label name. <value>Default: <c>example.com/cost-center</c>.</value></summary>
    public string LabelName { get; set; } = "example.com/cost-center";

    /// <summary>Gets or sets the cost center of applications not listed in <see cref="ByApplication"/>; <see langword="null"/> adds nothing.</summary>
    public string? Default { get; set; }

    /// <summary>Gets the cost center per application name.</summary>
    public Dictionary<string, string> ByApplication { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A render transform that labels every object with its application's cost center. It runs after the built-in common
/// labels (<see cref="Order"/> 250) and before ownership marks; an object that already carries a different value
/// is reported as an error naming the object instead of being silently overwritten.
/// </summary>
public sealed class CostCenterTransform(IOptions<CostCenterOptions> options) : IRenderTransform
{
    /// <inheritdoc />
    public int Order => 250;

    /// <inheritdoc />
    public ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var settings = options.Value;
        var value = settings.ByApplication.GetValueOrDefault(context.Options.ApplicationName) ?? settings.Default;
        if (value is null)
        {
            return ValueTask.FromResult(RenderResult.Success(state));
        }

        var errors = new List<ManifestError>();
        var objects = state.Objects.Select(obj =>
        {
            var existing = obj.Json.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("labels", out var labels)
                && labels.TryGetProperty(settings.LabelName, out var label) ? label.GetString() : null;
            if (existing == value)
            {
                return obj;
            }

            if (existing is not null)
            {
                errors.Add(new ManifestError($"{obj.Key} sets label {settings.LabelName}={existing}, but application '{context.Options.ApplicationName}' belongs to cost center '{value}'")
                {
                    Object = obj.Key,
                });
                return obj;
            }

            return obj.With(node =>
            {
                var meta = node["metadata"] as JsonObject ?? (JsonObject)(node["metadata"] = new JsonObject());
                var map = meta["labels"] as JsonObject ?? (JsonObject)(meta["labels"] = new JsonObject());
                map[settings.LabelName] = value;
            });
        }).ToList();

        return ValueTask.FromResult(errors.Count > 0
            ? RenderResult.Failure(errors)
            : RenderResult.Success(state with { Objects = [.. objects] }));
    }
}
