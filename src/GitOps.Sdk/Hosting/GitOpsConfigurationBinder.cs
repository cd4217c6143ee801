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
    public static void Bind(IConfiguration section, GitOpsOptions options)
    {
        var errors = options.BindingErrors;
        ReadInt(section, "MaxConcurrentReconciles", errors, v => options.MaxConcurrentReconciles = v);
        ReadInt(section, "HistoryLimit", errors, v => options.HistoryLimit = v);
        ReadString(section, "FieldManager", v => options.FieldManager = v);
        ReadTimeSpan(section, "DriftDebounce", errors, v => options.DriftDebounce = v);
        ReadTimeSpan(section, "HealthPollInterval", errors, v => options.HealthPollInterval = v);
        ReadBool(section, "ReconcileOnLiveChange", errors, v => options.ReconcileOnLiveChange = v);
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
            var existing = options.Applications.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));
            var definition = existing ?? new ApplicationDefinition { Name = name };
            BindApplication(app, definition, errors);
            if (existing is null)
            {
                options.Applications.Add(definition);
            }
        }
    }

    private static void BindApplication(IConfigurationSection app, ApplicationDefinition d, List<string> errors)
    {
        var source = app.GetSection("Source");
        string? url = source.Value ?? source["Url"] ?? app["Url"];
        if (url is not null)
        {
            d.Source = new SourceReference
            {
                Url = url,
                Ref = source["Ref"] ?? app["Ref"] ?? d.Source?.Ref,
                Type = source["Type"] ?? app["SourceType"] ?? d.Source?.Type,
                Chart = source["Chart"] ?? app["Chart"] ?? d.Source?.Chart,
                Path = source["Path"] ?? d.Source?.Path,
                CredentialsName = source["CredentialsName"] ?? app["CredentialsName"] ?? d.Source?.CredentialsName,
                IncludePrerelease = bool.TryParse(source["IncludePrerelease"], out var pre) && pre,
            };
        }

        ReadString(app, "Path", v => d.Path = v);
        ReadString(app, "Renderer", v => d.Renderer = v);
        ReadString(app, "Namespace", v => d.Namespace = v);
        ReadString(app, "ReleaseName", v => d.ReleaseName = v);
        ReadString(app, "Values", v => d.Values = v);
        ReadTimeSpan(app, "Interval", errors, v => d.Interval = v);
        ReadTimeSpan(app, "MinRetryDelay", errors, v => d.MinRetryDelay = v);
        ReadTimeSpan(app, "MaxRetryDelay", errors, v => d.MaxRetryDelay = v);
        ReadTimeSpan(app, "HealthTimeout", errors, v => d.HealthTimeout = v);
        ReadBool(app, "Prune", errors, v => d.Prune = v);
        ReadBool(app, "AllowEmptyPrune", errors, v => d.AllowEmptyPrune = v);
        ReadBool(app, "AllowRecreate", errors, v => d.AllowRecreate = v);
        ReadBool(app, "AllowAdoption", errors, v => d.AllowAdoption = v);
        ReadBool(app, "AllowTakeover", errors, v => d.AllowTakeover = v);
        ReadBool(app, "AllowNonEmptyNamespacePrune", errors, v => d.AllowNonEmptyNamespacePrune = v);
        ReadBool(app, "AllowCrdPruneWithResources", errors, v => d.AllowCrdPruneWithResources = v);
        ReadBool(app, "CreateNamespace", errors, v => d.CreateNamespace = v);
        ReadBool(app, "AllowClusterAdminBindings", errors, v => d.AllowClusterAdminBindings = v);
        CopyList(app.GetSection("AllowedNamespaces"), d.AllowedNamespaces);
        CopyList(app.GetSection("AllowedClusterKinds"), d.AllowedClusterKinds);
        CopyList(app.GetSection("DeniedKinds"), d.DeniedKinds);
        ReadBool(app, "ForceConflicts", errors, v => d.ForceConflicts = v);
        ReadBool(app, "Suspended", errors, v => d.Suspended = v);
        ReadBool(app, "WaitForHealth", errors, v => d.WaitForHealth = v);
        if (app["Mode"] is { } mode)
        {
            if (Enum.TryParse<ReconcileMode>(mode, ignoreCase: true, out var m) && Enum.IsDefined(m))
            {
                d.Mode = m;
            }
            else
            {
                errors.Add($"{Path(app, "Mode")}: '{mode}' is not a mode (Correct, DetectOnly).");
            }
        }

        foreach (var v in app.GetSection("ValueFiles").GetChildren())
        {
            if (v.Value is not null)
            {
                d.ValueFiles.Add(v.Value);
            }
        }

        CopyMap(app.GetSection("CommonLabels"), d.CommonLabels);
        CopyMap(app.GetSection("Variables"), d.Variables);
        CopyMap(app.GetSection("RenderProperties"), d.RenderProperties);
        foreach (var rule in app.GetSection("IgnoreRules").GetChildren())
        {
            d.IgnoreRules.Add(ReadIgnoreRule(rule));
        }
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

    private static void CopyMap(IConfigurationSection section, IDictionary<string, string> target)
    {
        foreach (var c in section.GetChildren())
        {
            if (c.Value is not null)
            {
                target[c.Key] = c.Value;
            }
        }
    }

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
    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        value = TimeSpan.Zero;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        while (!span.IsEmpty)
        {
            var i = 0;
            while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !double.TryParse(span[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[i..];
            var j = 0;
            while (j < span.Length && char.IsAsciiLetter(span[j]))
            {
                j++;
            }

            var unit = span[..j].ToString();
            span = span[j..];
            var add = unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                "d" => TimeSpan.FromDays(number),
                _ => (TimeSpan?)null,
            };
            if (add is null)
            {
                return false;
            }

            value += add.Value;
        }

        return true;
    }
}
