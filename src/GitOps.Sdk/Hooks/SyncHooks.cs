using System.Collections.Immutable;
using System.Globalization;

namespace GitOps.Sdk.Hooks;

/// <summary>When a hook object is deleted (a set: several policies may apply).</summary>
[Flags]
internal enum HookDeletePolicies
{
    None = 0,

    /// <summary>The previous hook object (this application's) is deleted before the hook is created again.</summary>
    BeforeHookCreation = 1,

    /// <summary>The hook object is deleted once it succeeded.</summary>
    HookSucceeded = 2,

    /// <summary>The hook object is deleted once it failed.</summary>
    HookFailed = 4,
}

/// <summary>One sync hook: the object, the phases it runs in, its wave within a phase and its delete policies.</summary>
/// <param name="Object">The rendered object (with the application's ownership mark).</param>
/// <param name="Phases">The phases, in phase order.</param>
/// <param name="Wave">The wave within each phase: lower first.</param>
/// <param name="DeletePolicies">When the object is deleted.</param>
/// <param name="Annotation">The annotation that declared it (ours, Argo CD's or Helm's), for messages.</param>
internal sealed record SyncHook(KubeObject Object, ImmutableArray<SyncHookPhase> Phases, int Wave, HookDeletePolicies DeletePolicies, string Annotation)
{
    public ResourceKey Key => Object.Key;
}

/// <summary>An object left out of the sync because its hook annotation names nothing that runs.</summary>
/// <param name="Key">The object.</param>
/// <param name="Reason">Why, naming the annotation and its value.</param>
internal sealed record LeftOutHook(ResourceKey Key, string Reason);

/// <summary>A desired state split into its regular objects and its sync hooks.</summary>
/// <param name="Regular">The objects diffed, planned, applied, recorded and pruned as usual (hooks removed).</param>
/// <param name="Hooks">The hooks, in render order.</param>
/// <param name="LeftOut">Objects whose hook annotation names nothing this engine runs (<c>Skip</c>, Helm <c>test</c>, …).</param>
internal sealed record HookSet(DesiredState Regular, ImmutableArray<SyncHook> Hooks, ImmutableArray<LeftOutHook> LeftOut)
{
    /// <summary>Gets the hooks of <paramref name="phase"/>, ordered by wave, then kind order, then name.</summary>
    public ImmutableArray<SyncHook> Of(SyncHookPhase phase) =>
        [.. Hooks.Where(h => h.Phases.Contains(phase))
            .OrderBy(static h => h.Wave)
            .ThenBy(static h => Planning.KindOrder.GetRank(h.Key.GroupKind))
            .ThenBy(static h => h.Key.Namespace, StringComparer.Ordinal)
            .ThenBy(static h => h.Key.Name, StringComparer.Ordinal)];

    public bool Has(SyncHookPhase phase) => Hooks.Any(h => h.Phases.Contains(phase));
}

/// <summary>
/// Reads sync hooks from their annotations: the engine's own (<see cref="WellKnown.HookAnnotation"/>), Argo CD's
/// (<see cref="WellKnown.ArgoHookAnnotation"/>) and Helm's (<see cref="WellKnown.HelmHookEventsAnnotation"/>), in that
/// order of precedence, so that repositories written for Argo CD or Helm work unchanged.
/// </summary>
/// <remarks>
/// Argo CD's mapping of Helm hooks is followed: <c>pre-install</c>/<c>pre-upgrade</c> run as PreSync, <c>post-install</c>/
/// <c>post-upgrade</c> as PostSync, <c>helm.sh/hook-weight</c> is the wave, and Helm's delete policies map to ours. Without
/// a delete policy a hook is deleted before it is created again (BeforeHookCreation), as in Argo CD and Helm 3. An object
/// marked <see cref="WellKnown.HelmHookAnnotation"/> (the Helm renderer's <c>ApplyHooks</c>) is a regular object.
/// </remarks>
internal static class SyncHooks
{
    /// <summary>Splits <paramref name="desired"/> into regular objects and hooks.</summary>
    public static HookSet Split(DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        List<KubeObject>? regular = null;
        var hooks = ImmutableArray.CreateBuilder<SyncHook>();
        var leftOut = ImmutableArray.CreateBuilder<LeftOutHook>();
        for (var i = 0; i < desired.Objects.Length; i++)
        {
            var o = desired.Objects[i];
            var parsed = Parse(o, out var hook, out var reason);
            if (!parsed)
            {
                regular?.Add(o);
                continue;
            }

            regular ??= [.. desired.Objects.Take(i)];
            if (hook is not null)
            {
                hooks.Add(hook);
            }
            else
            {
                leftOut.Add(new LeftOutHook(o.Key, reason!));
            }
        }

        return regular is null
            ? new HookSet(desired, [], [])
            : new HookSet(desired with { Objects = [.. regular] }, hooks.ToImmutable(), leftOut.ToImmutable());
    }

    /// <summary>
    /// Reads the hook annotations of <paramref name="obj"/>. Returns <see langword="false"/> for a regular object;
    /// otherwise <paramref name="hook"/> is the hook, or <see langword="null"/> with <paramref name="leftOutReason"/> when
    /// the annotation names no phase that runs.
    /// </summary>
    public static bool Parse(KubeObject obj, out SyncHook? hook, out string? leftOutReason)
    {
        ArgumentNullException.ThrowIfNull(obj);
        hook = null;
        leftOutReason = null;
        string annotation;
        string value;
        ImmutableArray<SyncHookPhase> phases;
        HookDeletePolicies policies;
        if (obj.GetAnnotation(WellKnown.HookAnnotation) is { } ours)
        {
            (annotation, value) = (WellKnown.HookAnnotation, ours);
            phases = ReadPhases(ours, out var skip);
            if (skip)
            {
                leftOutReason = $"{obj.Key} is not applied: annotated {annotation}={value}";
                return true;
            }

            policies = ReadPolicies(obj.GetAnnotation(WellKnown.HookDeletePolicyAnnotation));
        }
        else if (obj.GetAnnotation(WellKnown.ArgoHookAnnotation) is { } argo)
        {
            (annotation, value) = (WellKnown.ArgoHookAnnotation, argo);
            phases = ReadPhases(argo, out var skip);
            if (skip)
            {
                leftOutReason = $"{obj.Key} is not applied: annotated {annotation}={value}";
                return true;
            }

            policies = ReadPolicies(obj.GetAnnotation(WellKnown.ArgoHookDeletePolicyAnnotation));
        }
        else if (obj.GetAnnotation(WellKnown.HelmHookEventsAnnotation) is { } helm && obj.GetAnnotation(WellKnown.HelmHookAnnotation) is null)
        {
            (annotation, value) = (WellKnown.HelmHookEventsAnnotation, helm);
            phases = ReadHelmEvents(helm);
            policies = ReadPolicies(obj.GetAnnotation(WellKnown.HelmHookDeletePolicyAnnotation));
        }
        else
        {
            return false;
        }

        if (phases.IsEmpty)
        {
            leftOutReason = $"{obj.Key} is not applied: {annotation}={value} names no phase this engine runs (PreSync, Sync, PostSync, SyncFail; Helm: pre-install, pre-upgrade, post-install, post-upgrade)";
            return true;
        }

        hook = new SyncHook(obj, phases, GetWave(obj, annotation == WellKnown.HelmHookEventsAnnotation), policies, annotation);
        return true;
    }

    /// <summary>
    /// Reads an object's sync wave: <see cref="WellKnown.SyncWaveAnnotation"/>, else Argo CD's
    /// <see cref="WellKnown.ArgoSyncWaveAnnotation"/>, else (for Helm hooks) <see cref="WellKnown.HelmHookWeightAnnotation"/>; 0 when none is an integer.
    /// </summary>
    public static int GetWave(KubeObject obj, bool helmWeight = false)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (Integer(obj.GetAnnotation(WellKnown.SyncWaveAnnotation)) is { } ours)
        {
            return ours;
        }

        if (Integer(obj.GetAnnotation(WellKnown.ArgoSyncWaveAnnotation)) is { } argo)
        {
            return argo;
        }

        return helmWeight && Integer(obj.GetAnnotation(WellKnown.HelmHookWeightAnnotation)) is { } weight ? weight : 0;
    }

    private static int? Integer(string? text) =>
        text is not null && int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static ImmutableArray<SyncHookPhase> ReadPhases(string value, out bool skip)
    {
        skip = false;
        var phases = new SortedSet<SyncHookPhase>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (string.Equals(part, "Skip", StringComparison.OrdinalIgnoreCase))
            {
                skip = true;
            }
            else if (Enum.TryParse<SyncHookPhase>(part, ignoreCase: true, out var phase) && Enum.IsDefined(phase) && !char.IsDigit(part[0]))
            {
                phases.Add(phase);
            }
        }

        // An object that is also a hook of some phase is run as that hook; Skip alone leaves it out.
        skip &= phases.Count == 0;
        return [.. phases];
    }

    private static ImmutableArray<SyncHookPhase> ReadHelmEvents(string value)
    {
        var phases = new SortedSet<SyncHookPhase>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case "pre-install" or "pre-upgrade":
                    phases.Add(SyncHookPhase.PreSync);
                    break;
                case "post-install" or "post-upgrade":
                    phases.Add(SyncHookPhase.PostSync);
                    break;
            }
        }

        return [.. phases];
    }

    private static HookDeletePolicies ReadPolicies(string? value)
    {
        var policies = HookDeletePolicies.None;
        foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            policies |= part.ToLowerInvariant() switch
            {
                "beforehookcreation" or "before-hook-creation" => HookDeletePolicies.BeforeHookCreation,
                "hooksucceeded" or "hook-succeeded" => HookDeletePolicies.HookSucceeded,
                "hookfailed" or "hook-failed" => HookDeletePolicies.HookFailed,
                _ => HookDeletePolicies.None,
            };
        }

        return policies == HookDeletePolicies.None ? HookDeletePolicies.BeforeHookCreation : policies;
    }
}
