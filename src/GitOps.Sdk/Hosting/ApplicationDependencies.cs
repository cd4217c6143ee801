using GitOps.Sdk.Status;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// The rules of <see cref="ApplicationDefinition.DependsOn"/>: which dependency graphs are refused (a cycle, with its
/// path; at start-up an unknown name) and when a dependency counts as ready for its dependents to reconcile.
/// </summary>
internal static class ApplicationDependencies
{
    /// <summary>The reason of the Ready condition of an application that waits for its dependencies.</summary>
    public const string NotReadyReason = "DependencyNotReady";

    /// <summary>The dependencies of <paramref name="definition"/>, each name once.</summary>
    public static IEnumerable<string> Of(ApplicationDefinition definition) =>
        definition.DependsOn.IsDefaultOrEmpty ? [] : definition.DependsOn.Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Finds one cycle among <paramref name="definitions"/> (the first name of a listing order that reaches itself) and
    /// returns its path, first name repeated at the end (<c>a → b → a</c>); <see langword="null"/> when there is none.
    /// Names no definition has are no part of any cycle.
    /// </summary>
    public static IReadOnlyList<string>? FindCycle(IEnumerable<ApplicationDefinition> definitions)
    {
        var ordered = definitions.Where(static d => d is not null).ToList();
        var byName = new Dictionary<string, ApplicationDefinition>(StringComparer.Ordinal);
        foreach (var d in ordered)
        {
            byName.TryAdd(d.Name, d);
        }

        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var d in ordered)
        {
            if (Visit(d.Name) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string name)
        {
            if (done.Contains(name) || !byName.TryGetValue(name, out var definition))
            {
                return null;
            }

            var at = path.IndexOf(name);
            if (at >= 0)
            {
                return [.. path.Skip(at), name];
            }

            path.Add(name);
            foreach (var dependency in Of(definition))
            {
                if (Visit(dependency) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            done.Add(name);
            return null;
        }
    }

    /// <summary>The text of a cycle: <c>a → b → a</c>.</summary>
    public static string Describe(IReadOnlyList<string> cycle) => string.Join(" → ", cycle);

    /// <summary>The refusal of a cycle, the same words at start-up and at run time.</summary>
    public static string CycleMessage(IReadOnlyList<string> cycle) =>
        $"DependsOn forms a cycle: {Describe(cycle)}; an application in a cycle would wait for itself forever, remove one of these dependencies";

    /// <summary>
    /// Checks the dependencies of a whole set of applications at start-up: one failure per unknown name, and one failure
    /// for the first cycle, naming its path. Unknown names are failures only when <paramref name="refuseUnknown"/>
    /// (the set holds every application there is).
    /// </summary>
    public static void Validate(IReadOnlyList<ApplicationDefinition> definitions, bool refuseUnknown, List<string> failures)
    {
        var names = definitions.Select(static d => d.Name).ToHashSet(StringComparer.Ordinal);
        if (refuseUnknown)
        {
            foreach (var d in definitions)
            {
                foreach (var dependency in Of(d).Where(n => !names.Contains(n)))
                {
                    failures.Add($"GitOps application '{d.Name}': DependsOn names '{dependency}', which is not an application (known: {string.Join(", ", names.Order(StringComparer.Ordinal))}).");
                }
            }
        }

        if (FindCycle(definitions) is { } cycle)
        {
            failures.Add($"GitOps applications: {CycleMessage(cycle)}.");
        }
    }

    /// <summary>
    /// Refuses the applications that would close a cycle: while the accepted definitions hold one, its members that are
    /// new or changed (not the running definition) are refused, a changed one keeping its running definition. The
    /// running set has no cycle, so this ends; should a cycle be made of running definitions only, all of them go.
    /// </summary>
    public static ApplicationCatalog.Resolution RefuseCycles(
        ApplicationCatalog.Resolution resolution,
        IReadOnlyDictionary<string, (string Source, ApplicationDefinition Definition)> running)
    {
        var accepted = resolution.Accepted.ToList();
        var refused = resolution.Refused.ToList();
        while (FindCycle(accepted.Select(static a => a.Definition)) is { } cycle)
        {
            var members = cycle.ToHashSet(StringComparer.Ordinal);
            var inCycle = accepted.Where(a => members.Contains(a.Definition.Name)).ToList();
            var fresh = inCycle.Where(a => !IsRunning(a)).ToList();
            foreach (var a in fresh.Count > 0 ? fresh : inCycle)
            {
                var keep = running.TryGetValue(a.Definition.Name, out var current) && current.Source == a.Source && !IsRunning(a);
                var index = accepted.IndexOf(a);
                if (keep)
                {
                    accepted[index] = new ApplicationCatalog.Accepted(a.Source, current.Definition);
                }
                else
                {
                    accepted.RemoveAt(index);
                }

                refused.Add(new ApplicationCatalog.Refusal(a.Source, a.Definition.Name, [CycleMessage(cycle)], OtherSource: null, keep));
            }
        }

        return resolution with { Accepted = [.. accepted], Refused = [.. refused] };

        bool IsRunning(ApplicationCatalog.Accepted a) =>
            running.TryGetValue(a.Definition.Name, out var r) && r.Source == a.Source && r.Definition == a.Definition;
    }

    /// <summary>
    /// Tells why an application is not ready to be depended on, or <see langword="null"/> when it is: it is not
    /// suspended, its last reconcile left it Ready, it applied the revision it last worked on, and it is Healthy.
    /// </summary>
    public static string? NotReady(ApplicationStatus status, bool suspended)
    {
        if (suspended)
        {
            return "suspended";
        }

        var ready = status.GetCondition(ConditionTypes.Ready);
        if (ready?.Status != ConditionStatus.True)
        {
            return ready is null ? "not reconciled yet" : $"not ready: {ready.Reason}";
        }

        if (!string.Equals(status.LastAppliedRevision, status.LastAttemptedRevision, StringComparison.Ordinal))
        {
            return $"revision {status.LastAttemptedRevision} not applied yet";
        }

        return status.Health?.Status switch
        {
            HealthStatus.Healthy => null,
            { } health => health.ToString(),
            null => "health not assessed yet",
        };
    }
}
