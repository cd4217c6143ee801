using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Helm.Rendering;

/// <summary>
/// Reads <see cref="HelmRenderOptions"/> from an application's configuration: <c>ReleaseName</c>, <c>Values</c> and
/// <c>ValueFiles</c> beside the other application keys (where they have always been), and all settings under <c>Helm:</c>
/// (which wins when both are given).
/// </summary>
internal sealed class HelmRenderOptionsBinder : IRendererOptionsBinder
{
    public string Renderer => HelmRenderOptions.RendererName;

    public IReadOnlyList<string> ConfigurationKeys { get; } =
    [
        "ReleaseName", "Values", "ValueFiles:*",
        "Helm:ReleaseName", "Helm:Values", "Helm:ValueFiles:*", "Helm:KubeVersion", "Helm:ApiVersions:*", "Helm:IncludeCrds", "Helm:ApplyHooks",
    ];

    public IRendererOptions? Bind(IConfigurationSection application, IRendererOptions? current, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(errors);
        var helm = current as HelmRenderOptions ?? HelmRenderOptions.Default;
        var found = false;
        foreach (var section in new[] { application, application.GetSection("Helm") })
        {
            if (section["ReleaseName"] is { } release)
            {
                helm = helm with { ReleaseName = release };
                found = true;
            }

            if (section["Values"] is { } values)
            {
                helm = helm with { Values = values };
                found = true;
            }

            if (section["KubeVersion"] is { } kube && !ReferenceEquals(section, application))
            {
                helm = helm with { KubeVersion = kube };
                found = true;
            }

            var files = Strings(section.GetSection("ValueFiles"));
            if (files.Length > 0)
            {
                helm = helm with { ValueFiles = [.. helm.ValueFiles, .. files] };
                found = true;
            }

            if (ReferenceEquals(section, application))
            {
                continue;
            }

            var apiVersions = Strings(section.GetSection("ApiVersions"));
            if (apiVersions.Length > 0)
            {
                helm = helm with { ApiVersions = [.. helm.ApiVersions, .. apiVersions.Where(v => !helm.ApiVersions.Contains(v))] };
                found = true;
            }

            found |= ReadBool(section, "IncludeCrds", errors, v => helm = helm with { IncludeCrds = v });
            found |= ReadBool(section, "ApplyHooks", errors, v => helm = helm with { ApplyHooks = v });
        }

        return found ? helm : null;
    }

    private static ImmutableArray<string> Strings(IConfigurationSection section) =>
        [.. section.GetChildren().Select(static c => c.Value).OfType<string>()];

    private static bool ReadBool(IConfigurationSection section, string key, ICollection<string> errors, Action<bool> set)
    {
        if (section[key] is not { } value)
        {
            return false;
        }

        if (!bool.TryParse(value, out var parsed))
        {
            errors.Add($"{section.Path}:{key}: '{value}' is not true or false.");
            return false;
        }

        set(parsed);
        return true;
    }
}
