using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Reads <see cref="GitOpsOptions"/> from a configuration section (usually <c>GitOps</c>). Applications live under
/// <c>Applications:&lt;name&gt;</c>; the source may be a URL string (<c>Source</c>) with <c>Ref</c>, <c>Chart</c>,
/// <c>SourceType</c> beside it, or an object <c>Source:{Url,Ref,Type,Chart,Path}</c>. Values that do not parse are
/// recorded and reported, with their configuration path, by start-up validation.
/// </summary>
internal static class GitOpsConfigurationBinder
{
    public static void Bind(IConfiguration section, GitOpsOptions options, IEnumerable<IRendererOptionsBinder>? rendererBinders = null)
    {
        var errors = options.BindingErrors;
        ReadInt(section, "MaxConcurrentReconciles", errors, v => options.MaxConcurrentReconciles = v);
        ReadInt(section, "HistoryLimit", errors, v => options.HistoryLimit = v);
        ReadString(section, "FieldManager", v => options.FieldManager = v);
        ReadTimeSpan(section, "DriftDebounce", errors, v => options.DriftDebounce = v);
        ReadTimeSpan(section, "HealthPollInterval", errors, v => options.HealthPollInterval = v);
        ReadBool(section, "ReconcileOnLiveChange", errors, v => options.ReconcileOnLiveChange = v);
        ReadBool(section, "DriftLeadingEdge", errors, v => options.DriftLeadingEdge = v);
        if (section["JitterFraction"] is { } jitter)
        {
            if (double.TryParse(jitter, NumberStyles.Float, CultureInfo.InvariantCulture, out var j))
            {
                options.JitterFraction = j;
            }
            else
            {
                errors.Add($"{Path(section, "JitterFraction")}: '{jitter}' is not a number.");
            }
        }

        foreach (var rule in section.GetSection("IgnoreRules").GetChildren())
        {
            options.IgnoreRules.Add(ReadIgnoreRule(rule));
        }

        CopyList(section.GetSection("AllowedClusterKinds"), options.AllowedClusterKinds);
        CopyList(section.GetSection("DeniedKinds"), options.DeniedKinds);

        foreach (var app in section.GetSection("Applications").GetChildren())
        {
            var name = app["Name"] ?? app.Key;
            var index = -1;
            for (var i = 0; i < options.Applications.Count; i++)
            {
                if (string.Equals(options.Applications[i]?.Name, name, StringComparison.Ordinal))
                {
                    index = i;
                    break;
                }
            }

            var appErrors = new List<string>();
            var definition = BindApplication(app, index >= 0 ? options.Applications[index] : new ApplicationDefinition { Name = name }, appErrors, rendererBinders);
            errors.AddRange(appErrors);
            options.ApplicationBindingErrors.AddRange(appErrors.Select(e => new ApplicationProblem(name, e)));
            if (index >= 0)
            {
                options.Applications[index] = definition;
            }
            else
            {
                options.Applications.Add(definition);
            }
        }
    }

    /// <summary>Returns <paramref name="d"/> with the settings <paramref name="app"/> holds; values that do not parse go to <paramref name="errors"/>.</summary>
    internal static ApplicationDefinition BindApplication(IConfigurationSection app, ApplicationDefinition d, List<string> errors, IEnumerable<IRendererOptionsBinder>? rendererBinders = null)
    {
        var source = app.GetSection("Source");
        string? url = source.Value ?? source["Url"] ?? app["Url"];
        if (url is not null)
        {
            var includePrerelease = d.Source?.IncludePrerelease ?? false;
            ReadBool(source, "IncludePrerelease", errors, v => includePrerelease = v);
            d = d with
            {
                Source = new SourceReference
                {
                    Url = url,
                    Ref = source["Ref"] ?? app["Ref"] ?? d.Source?.Ref,
                    Type = source["Type"] ?? app["SourceType"] ?? d.Source?.Type,
                    Chart = source["Chart"] ?? app["Chart"] ?? d.Source?.Chart,
                    Path = source["Path"] ?? d.Source?.Path,
                    CredentialsName = source["CredentialsName"] ?? app["CredentialsName"] ?? d.Source?.CredentialsName,
                    IncludePrerelease = includePrerelease,
                },
            };
        }

        ReadString(app, "Path", v => d = d with { Path = v });
        ReadString(app, "Renderer", v => d = d with { Renderer = v });
        ReadString(app, "Namespace", v => d = d with { Namespace = v });
        ReadString(app, "Target", v => d = d with { Target = v });
        ReadTimeSpan(app, "Interval", errors, v => d = d with { Interval = v });
        ReadTimeSpan(app, "MinRetryDelay", errors, v => d = d with { MinRetryDelay = v });
        ReadTimeSpan(app, "MaxRetryDelay", errors, v => d = d with { MaxRetryDelay = v });
        ReadTimeSpan(app, "HealthTimeout", errors, v => d = d with { HealthTimeout = v });
        ReadTimeSpan(app, "WaveHealthTimeout", errors, v => d = d with { WaveHealthTimeout = v });
        ReadTimeSpan(app, "HookTimeout", errors, v => d = d with { HookTimeout = v });
        ReadBool(app, "Prune", errors, v => d = d with { Prune = v });
        ReadBool(app, "AllowEmptyPrune", errors, v => d = d with { AllowEmptyPrune = v });
        ReadBool(app, "AllowRecreate", errors, v => d = d with { AllowRecreate = v });
        ReadBool(app, "AllowAdoption", errors, v => d = d with { AllowAdoption = v });
        ReadBool(app, "AllowTakeover", errors, v => d = d with { AllowTakeover = v });
        ReadBool(app, "AllowNonEmptyNamespacePrune", errors, v => d = d with { AllowNonEmptyNamespacePrune = v });
        ReadBool(app, "AllowCrdPruneWithResources", errors, v => d = d with { AllowCrdPruneWithResources = v });
        ReadBool(app, "CreateNamespace", errors, v => d = d with { CreateNamespace = v });
        ReadBool(app, "AllowClusterAdminBindings", errors, v => d = d with { AllowClusterAdminBindings = v });
        ReadBool(app, "ForceConflicts", errors, v => d = d with { ForceConflicts = v });
        ReadBool(app, "Suspended", errors, v => d = d with { Suspended = v });
        ReadBool(app, "WaitForHealth", errors, v => d = d with { WaitForHealth = v });
        ReadBool(app, "WaveHealthGate", errors, v => d = d with { WaveHealthGate = v });
        if (app["Mode"] is { } mode)
        {
            if (Enum.TryParse<ReconcileMode>(mode, ignoreCase: true, out var m) && Enum.IsDefined(m))
            {
                d = d with { Mode = m };
            }
            else
            {
                errors.Add($"{Path(app, "Mode")}: '{mode}' is not a mode (Correct, DetectOnly).");
            }
        }

        return d with
        {
            AllowedNamespaces = Union(d.AllowedNamespaces, app.GetSection("AllowedNamespaces")),
            AllowedClusterKinds = Union(d.AllowedClusterKinds, app.GetSection("AllowedClusterKinds")),
            DeniedKinds = Union(d.DeniedKinds, app.GetSection("DeniedKinds")),
            DependsOn = Union(d.DependsOn, app.GetSection("DependsOn")),
            CommonLabels = Merge(d.CommonLabels, app.GetSection("CommonLabels")),
            Variables = Merge(d.Variables, app.GetSection("Variables")),
            RenderProperties = Merge(d.RenderProperties, app.GetSection("RenderProperties")),
            IgnoreRules = [.. d.IgnoreRules, .. app.GetSection("IgnoreRules").GetChildren().Select(ReadIgnoreRule)],
            RendererOptions = BindRendererOptions(app, d.RendererOptions, errors, rendererBinders),
        };
    }

    /// <summary>Lets each renderer package read its own keys (Helm's <c>Values</c>, <c>ValueFiles</c>, …) of the application's section.</summary>
    private static ImmutableDictionary<string, IRendererOptions> BindRendererOptions(
        IConfigurationSection app,
        ImmutableDictionary<string, IRendererOptions> existing,
        List<string> errors,
        IEnumerable<IRendererOptionsBinder>? binders)
    {
        var map = existing ?? ImmutableDictionary.Create<string, IRendererOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var binder in binders ?? [])
        {
            var current = map.TryGetValue(binder.Renderer, out var found) ? found : null;
            if (binder.Bind(app, current, errors) is { } bound)
            {
                map = map.SetItem(binder.Renderer, bound);
            }
        }

        return map;
    }

    private static IEnumerable<string> Values(IConfigurationSection section) =>
        section.GetChildren().Select(static c => c.Value).OfType<string>();

    private static ImmutableArray<string> Union(ImmutableArray<string> existing, IConfigurationSection section) =>
        [.. existing, .. Values(section).Where(v => !existing.Contains(v)).Distinct(StringComparer.Ordinal)];

    private static ImmutableDictionary<string, string> Merge(ImmutableDictionary<string, string> existing, IConfigurationSection section)
    {
        var map = existing.ToBuilder();
        foreach (var c in section.GetChildren())
        {
            if (c.Value is not null)
            {
                map[c.Key] = c.Value;
            }
        }

        return map.ToImmutable();
    }

    private static IgnoreRule ReadIgnoreRule(IConfigurationSection rule) => new()
    {
        Group = rule["Group"],
        Kind = rule["Kind"],
        Namespace = rule["Namespace"],
        Name = rule["Name"],
        JsonPointers = [.. rule.GetSection("JsonPointers").GetChildren().Select(c => c.Value).OfType<string>()],
        ManagedFieldsManagers = [.. rule.GetSection("ManagedFieldsManagers").GetChildren().Select(c => c.Value).OfType<string>()],
    };

    private static void CopyList(IConfigurationSection section, IList<string> target)
    {
        foreach (var c in section.GetChildren())
        {
            if (c.Value is not null && !target.Contains(c.Value))
            {
                target.Add(c.Value);
            }
        }
    }

    private static string Path(IConfiguration section, string key) =>
        section is IConfigurationSection s ? $"{s.Path}:{key}" : key;

    private static void ReadString(IConfiguration section, string key, Action<string> set)
    {
        if (section[key] is { } value)
        {
            set(value);
        }
    }

    private static void ReadInt(IConfiguration section, string key, List<string> errors, Action<int> set)
    {
        if (section[key] is not { } value)
        {
            return;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
        {
            set(i);
        }
        else
        {
            errors.Add($"{Path(section, key)}: '{value}' is not a whole number.");
        }
    }

    private static void ReadBool(IConfiguration section, string key, List<string> errors, Action<bool> set)
    {
        if (section[key] is not { } value)
        {
            return;
        }

        if (bool.TryParse(value, out var b))
        {
            set(b);
        }
        else
        {
            errors.Add($"{Path(section, key)}: '{value}' is not true or false.");
        }
    }

    private static void ReadTimeSpan(IConfiguration section, string key, List<string> errors, Action<TimeSpan> set)
    {
        if (section[key] is not { } value)
        {
            return;
        }

        if (TryParseDuration(value, out var t))
        {
            set(t);
        }
        else
        {
            errors.Add($"{Path(section, key)}: '{value}' is not a duration (examples: 00:05:00, 5m, 30s, 1h).");
        }
    }

    /// <summary>Parses <c>hh:mm:ss</c> or a Go-style duration such as <c>1h30m</c>, <c>5m</c>, <c>30s</c>, <c>500ms</c>.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan value) => Configuration.ConfigurationShape.TryParseDuration(text, out value);
}
