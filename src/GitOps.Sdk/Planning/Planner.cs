using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace GitOps.Sdk.Planning;

/// <summary>
/// The default <see cref="IPlanner"/>: orders desired objects by sync wave and <see cref="KindOrder"/>, turns diffs
/// into actions (objects without drift get <see cref="PlanAction.None"/>, so a steady state causes no writes), and
/// plans the prune set (previous inventory minus desired) in reverse order under the safety rules.
/// </summary>
/// <remarks>
/// Safety rules: ownership is decided by one rule (see OwnershipPolicy): a live object whose ownership label names
/// another application is never taken over (unless <see cref="PlanOptions.AllowTakeover"/>) and never pruned; an
/// unmarked live object is adopted only with <see cref="PlanOptions.AllowAdoption"/> (or when the previous inventory
/// already lists it, i.e. this application applied it); refused steps carry a <see cref="PlanStep.Refusal"/>; pruning skips objects
/// annotated <see cref="WellKnown.PruneAnnotation"/>=<c>disabled</c>, objects not marked as this application's, and
/// everything when desired state is empty (unless <see cref="PlanOptions.AllowEmptyPrune"/>). Every refusal is a
/// <see cref="PlanAction.Skip"/> step whose reason names the object and the applications involved.
/// </remarks>
/// <example>
/// <code>
/// ApplyPlan plan = new Planner().Plan(new PlanRequest
/// {
///     Application = "shop",
///     Desired = desired,
///     Live = live,
///     Diffs = diffs,
///     PreviousInventory = await inventory.GetAsync("shop", cancellationToken),
/// });
/// </code>
/// </example>
internal sealed class Planner : IPlanner
{
    /// <inheritdoc />
    public ApplyPlan Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var application = request.Application;
        var options = request.Options;
        var previousKeys = new HashSet<ResourceKey>();
        if (request.PreviousInventory is { } previous)
        {
            foreach (var entry in previous.Entries)
            {
                previousKeys.Add(entry.Key);
            }
        }

        var applies = new List<(PlanStep Step, int Rank, int Index)>();
        var desiredKeys = new HashSet<ResourceKey>();
        var crdsToCreate = CrdsToCreate(request);
        var index = 0;
        foreach (var desired in request.Desired.Objects)
        {
            if (!desiredKeys.Add(desired.Key))
            {
                continue;
            }

            var step = PlanDesired(application, desired, request, previousKeys);
            if (step is { Action: PlanAction.Apply, Live: null, Reason: null } && crdsToCreate.TryGetValue(desired.Key.GroupKind, out var crdName))
            {
                // Its kind is not served before the CRD exists: the applier creates the CRD, waits for it, then this object.
                step = step with { Reason = $"will be created after the CRD {crdName}" };
            }
            applies.Add((step, KindOrder.GetRank(desired.Key.GroupKind, options.KindOrderOverrides), index++));
        }

        applies.Sort(static (a, b) =>
        {
            var c = a.Step.Wave.CompareTo(b.Step.Wave);
            if (c != 0)
            {
                return c;
            }

            c = a.Rank.CompareTo(b.Rank);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(a.Step.Key.Group, b.Step.Key.Group);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(a.Step.Key.Kind, b.Step.Key.Kind);
            return c != 0 ? c : a.Index.CompareTo(b.Index);
        });

        var deletes = PlanPrune(application, request, desiredKeys);
        var steps = ImmutableArray.CreateBuilder<PlanStep>(applies.Count + deletes.Count);
        foreach (var (step, _, _) in applies)
        {
            steps.Add(step);
        }

        steps.AddRange(deletes);
        var result = steps.MoveToImmutable();
        return new ApplyPlan
        {
            Application = application,
            Revision = request.Desired.Revision,
            Steps = result,
            Hash = ComputeHash(application, result),
        };
    }

    /// <summary>
    /// Reads the sync wave of an object from <see cref="WellKnown.SyncWaveAnnotation"/>, else Argo CD's
    /// <see cref="WellKnown.ArgoSyncWaveAnnotation"/>; 0 when absent or not an integer.
    /// </summary>
    /// <param name="obj">The object.</param>
    /// <returns>The wave.</returns>
    public static int GetWave(KubeObject obj) => Hooks.SyncHooks.GetWave(obj);

    /// <summary>Returns the kind a CustomResourceDefinition defines (<c>spec.group</c>, <c>spec.names.kind</c>), or <see langword="null"/> for other objects.</summary>
    internal static GroupKind? DefinedKind(KubeObject obj)
    {
        if (obj.Group != "apiextensions.k8s.io" || obj.Kind != "CustomResourceDefinition"
            || !obj.Json.TryGetProperty("spec", out var spec) || spec.ValueKind != System.Text.Json.JsonValueKind.Object
            || !spec.TryGetProperty("group", out var group) || group.ValueKind != System.Text.Json.JsonValueKind.String
            || !spec.TryGetProperty("names", out var names) || names.ValueKind != System.Text.Json.JsonValueKind.Object
            || !names.TryGetProperty("kind", out var kind) || kind.ValueKind != System.Text.Json.JsonValueKind.String)
        {
            return null;
        }

        return new GroupKind(group.GetString()!, kind.GetString()!);
    }

    /// <summary>The kinds whose CustomResourceDefinition this plan creates (desired, not live), with the CRD's name.</summary>
    private static Dictionary<GroupKind, string> CrdsToCreate(PlanRequest request)
    {
        var result = new Dictionary<GroupKind, string>();
        foreach (var o in request.Desired.Objects)
        {
            if (DefinedKind(o) is { } kind && !request.Live.ContainsKey(o.Key))
            {
                result.TryAdd(kind, o.Name);
            }
        }

        return result;
    }

    private static PlanStep PlanDesired(string application, KubeObject desired, PlanRequest request, HashSet<ResourceKey> previousKeys)
    {
        var key = desired.Key;
        var options = request.Options;
        request.Live.TryGetValue(key, out var live);
        request.Diffs.TryGetValue(key, out var diff);
        var step = new PlanStep { Key = key, Action = PlanAction.Apply, Desired = desired, Live = live, Diff = diff, Wave = GetWave(desired) };

        if (OwnershipPolicy.ForApply(application, key, live, previousKeys.Contains(key), options, out var adoptedFrom) is { } refused)
        {
            return step with { Action = PlanAction.Skip, Reason = refused.Reason, Refusal = refused.Refusal };
        }

        if (adoptedFrom is not null)
        {
            step = step with
            {
                AdoptedFrom = adoptedFrom,
                Reason = adoptedFrom.Length == 0
                    ? $"adopted: {key} carried no ownership label {options.OwnershipLabel}; application '{application}' adopts it (AllowAdoption is on)"
                    : $"adopted: {key} was owned by application '{adoptedFrom}'; application '{application}' takes it over (AllowTakeover is on)",
            };
        }

        if (live is null)
        {
            return step;
        }

        if (diff is not null && !diff.HasDrift)
        {
            return step with { Action = PlanAction.None };
        }

        return step;
    }

    private static List<PlanStep> PlanPrune(string application, PlanRequest request, HashSet<ResourceKey> desiredKeys)
    {
        var options = request.Options;
        var steps = new List<(PlanStep Step, int Rank)>();
        if (!options.Prune || request.PreviousInventory is not { } previous)
        {
            return [];
        }

        var emptyRefused = desiredKeys.Count == 0 && !options.AllowEmptyPrune;
        foreach (var entry in previous.Entries)
        {
            var key = entry.Key;
            if (desiredKeys.Contains(key) || !request.Live.TryGetValue(key, out var live))
            {
                // Still desired, or already gone: nothing to delete.
                continue;
            }

            var step = new PlanStep { Key = key, Action = PlanAction.Delete, Live = live, Wave = GetWave(live) };
            request.Diffs.TryGetValue(key, out var diff);
            step = step with { Diff = diff };
            if (emptyRefused)
            {
                step = step with
                {
                    Action = PlanAction.Skip,
                    Reason = $"{key} is not pruned: desired state of application '{application}' is empty, and pruning everything needs AllowEmptyPrune",
                    Refusal = new PlanRefusal(PlanRefusalRules.EmptyRender, null, "AllowEmptyPrune"),
                };
            }
            else if (string.Equals(live.GetAnnotation(WellKnown.PruneAnnotation), "disabled", StringComparison.OrdinalIgnoreCase))
            {
                step = step with { Action = PlanAction.Skip, Reason = $"{key} is not pruned: annotated {WellKnown.PruneAnnotation}=disabled" };
            }
            else if (OwnershipPolicy.ForPrune(application, key, live, options) is { } refused)
            {
                step = step with { Action = PlanAction.Skip, Reason = refused.Reason, Refusal = refused.Refusal };
            }

            steps.Add((step, KindOrder.GetRank(key.GroupKind, options.KindOrderOverrides)));
        }

        // Contents before containers (whatever the waves say: deleting a Namespace or a CRD deletes what it holds), then
        // the reverse of the apply order: highest wave first, then dependants before what they depend on.
        steps.Sort(static (a, b) =>
        {
            var c = ContainerOrder(a.Step.Key).CompareTo(ContainerOrder(b.Step.Key));
            if (c != 0)
            {
                return c;
            }

            c = b.Step.Wave.CompareTo(a.Step.Wave);
            if (c != 0)
            {
                return c;
            }

            c = b.Rank.CompareTo(a.Rank);
            return c != 0 ? c : b.Step.Key.CompareTo(a.Step.Key);
        });
        return steps.ConvertAll(static s => s.Step);
    }

    private static int ContainerOrder(ResourceKey key) => PruneGuard.IsNamespace(key) ? 1 : PruneGuard.IsCrd(key) ? 2 : 0;

    internal static string ComputeHash(string application, ImmutableArray<PlanStep> steps)
    {
        var text = new StringBuilder();
        text.Append(application).Append('\n');
        foreach (var step in steps)
        {
            text.Append(step.Key.ToString()).Append('|')
                .Append(step.Action.ToString()).Append('|')
                .Append(step.Desired?.ContentHash ?? "-").Append('|')
                .Append(ReadResourceVersion(step.Live) ?? "-").Append('\n');
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string? ReadResourceVersion(KubeObject? live) =>
        live is not null
        && live.Metadata.ValueKind == System.Text.Json.JsonValueKind.Object
        && live.Metadata.TryGetProperty("resourceVersion", out var rv)
        && rv.ValueKind == System.Text.Json.JsonValueKind.String
            ? rv.GetString()
            : null;
}
