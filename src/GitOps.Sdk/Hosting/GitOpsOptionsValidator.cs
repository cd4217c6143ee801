using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Hosting;

/// <summary>Checks <see cref="GitOpsOptions"/> at start-up; every message names the application and the field.</summary>
internal sealed partial class GitOpsOptionsValidator : IValidateOptions<GitOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, GitOpsOptions options)
    {
        var failures = new List<string>(options.BindingErrors);
        if (options.MaxConcurrentReconciles < 1)
        {
            failures.Add($"GitOps: MaxConcurrentReconciles must be at least 1 (was {options.MaxConcurrentReconciles}).");
        }

        if (options.HistoryLimit < 1)
        {
            failures.Add($"GitOps: HistoryLimit must be at least 1 (was {options.HistoryLimit}).");
        }

        if (string.IsNullOrWhiteSpace(options.FieldManager))
        {
            failures.Add("GitOps: FieldManager must not be empty.");
        }

        if (options.JitterFraction is < 0 or >= 1 || double.IsNaN(options.JitterFraction))
        {
            failures.Add($"GitOps: JitterFraction must be at least 0 and below 1 (was {options.JitterFraction}).");
        }

        if (options.DriftDebounce < TimeSpan.Zero)
        {
            failures.Add("GitOps: DriftDebounce must not be negative.");
        }

        if (options.HealthPollInterval <= TimeSpan.Zero)
        {
            failures.Add("GitOps: HealthPollInterval must be positive.");
        }

        CheckKinds("GitOps", "AllowedClusterKinds", options.AllowedClusterKinds, failures);
        CheckKinds("GitOps", "DeniedKinds", options.DeniedKinds, failures);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Applications.Count; i++)
        {
            var app = options.Applications[i];
            if (app is null)
            {
                failures.Add($"GitOps application #{i}: is null.");
                continue;
            }

            var label = string.IsNullOrEmpty(app.Name) ? $"#{i}" : $"'{app.Name}'";
            if (ValidateName(app, label, failures) && !seen.Add(app.Name))
            {
                failures.Add($"GitOps application {label}: Name is used by more than one application.");
            }

            ValidateApplication(app, label, failures);
        }

        // Applications of other sources are not known yet: an unknown name then waits at run time instead.
        ApplicationDependencies.Validate([.. options.Applications.OfType<ApplicationDefinition>()], refuseUnknown: !options.ApplicationsFromOtherSources, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Checks an application's name (not its uniqueness); returns <see langword="false"/> when it added a failure.</summary>
    internal static bool ValidateName(ApplicationDefinition app, string label, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(app.Name))
        {
            failures.Add($"GitOps application {label}: Name is required.");
            return false;
        }

        if (!NamePattern().IsMatch(app.Name))
        {
            failures.Add($"GitOps application {label}: Name must be a DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters).");
            return false;
        }

        return true;
    }

    /// <summary>Checks one application's settings (not its name's uniqueness); each message starts with <c>GitOps application &lt;label&gt;</c>.</summary>
    internal static void ValidateApplication(ApplicationDefinition app, string label, List<string> failures)
    {
        if (app.Source is null || string.IsNullOrWhiteSpace(app.Source.Url))
        {
            failures.Add($"GitOps application {label}: Source.Url is required (a Git URL, oci://… or a Helm repository URL).");
        }

        if (app.Interval <= TimeSpan.Zero)
        {
            failures.Add($"GitOps application {label}: Interval must be positive (was {app.Interval}).");
        }

        if (app.MinRetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"GitOps application {label}: MinRetryDelay must be positive (was {app.MinRetryDelay}).");
        }

        if (app.MaxRetryDelay < app.MinRetryDelay)
        {
            failures.Add($"GitOps application {label}: MaxRetryDelay ({app.MaxRetryDelay}) must not be less than MinRetryDelay ({app.MinRetryDelay}).");
        }

        if (app.WaitForHealth && app.HealthTimeout <= TimeSpan.Zero)
        {
            failures.Add($"GitOps application {label}: HealthTimeout must be positive when WaitForHealth is set.");
        }

        if (app.WaveHealthGate && app.WaveHealthTimeout <= TimeSpan.Zero)
        {
            failures.Add($"GitOps application {label}: WaveHealthTimeout must be positive when WaveHealthGate is set (was {app.WaveHealthTimeout}).");
        }

        if (app.HookTimeout <= TimeSpan.Zero)
        {
            failures.Add($"GitOps application {label}: HookTimeout must be positive (was {app.HookTimeout}).");
        }

        if (!Enum.IsDefined(app.Mode))
        {
            failures.Add($"GitOps application {label}: Mode '{app.Mode}' is not Correct or DetectOnly.");
        }

        if (app.Path is { } path && (System.IO.Path.IsPathRooted(path) || path.Split('/', '\\').Contains("..")))
        {
            failures.Add($"GitOps application {label}: Path '{path}' must be relative and must not contain '..'.");
        }

        CheckConfinement(app, label, failures);

        foreach (var dependency in app.DependsOn.IsDefault ? [] : app.DependsOn)
        {
            if (dependency is null || !NamePattern().IsMatch(dependency))
            {
                failures.Add($"GitOps application {label}: DependsOn entry '{dependency}' is not an application name (a DNS label).");
            }
        }

        for (var r = 0; r < app.IgnoreRules.Length; r++)
        {
            var rule = app.IgnoreRules[r];
            if (rule.JsonPointers.IsDefaultOrEmpty && rule.ManagedFieldsManagers.IsDefaultOrEmpty)
            {
                failures.Add($"GitOps application {label}: IgnoreRules[{r}] names neither JsonPointers nor ManagedFieldsManagers.");
            }

            foreach (var pointer in rule.JsonPointers.IsDefault ? [] : rule.JsonPointers)
            {
                if (!pointer.StartsWith('/'))
                {
                    failures.Add($"GitOps application {label}: IgnoreRules[{r}] JSON pointer '{pointer}' must start with '/'.");
                }
            }
        }
    }

    private static void CheckConfinement(ApplicationDefinition app, string label, List<string> failures)
    {
        var where = $"GitOps application {label}";
        CheckKinds(where, "AllowedClusterKinds", app.AllowedClusterKinds, failures);
        CheckKinds(where, "DeniedKinds", app.DeniedKinds, failures);
        foreach (var ns in app.AllowedNamespaces)
        {
            var name = ns?.Trim() ?? string.Empty;
            var valid = name == "*" || (name.EndsWith('*') ? NamespacePrefixPattern().IsMatch(name[..^1]) : NamePattern().IsMatch(name));
            if (!valid)
            {
                failures.Add($"{where}: AllowedNamespaces entry '{ns}' is not a namespace name, a 'prefix*' pattern or '*'.");
            }
        }

        if (app.AllowedNamespaces.Length > 0 && !string.IsNullOrEmpty(app.Namespace)
            && !app.AllowedNamespaces.Any(p => Planning.ConfinementPolicy.NamespaceMatches(p.Trim(), app.Namespace) || p.Trim() == "*"))
        {
            failures.Add($"{where}: Namespace '{app.Namespace}' is not in AllowedNamespaces ({string.Join(", ", app.AllowedNamespaces)}); add it, or every object defaulted to it would be refused.");
        }
    }

    private static void CheckKinds(string where, string field, IEnumerable<string> kinds, List<string> failures)
    {
        foreach (var k in kinds)
        {
            if (!Planning.KindPattern.TryParse(k, out _, out var error))
            {
                failures.Add($"{where}: {field} entry {error}.");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][-a-z0-9]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamespacePrefixPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
