using GitOps.Sdk.Hosting;
using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The diff stage's input.</summary>
/// <param name="Desired">The desired state.</param>
/// <param name="Live">The live snapshot.</param>
/// <param name="LastAppliedDigest">
/// The content digest last applied successfully: drift of an inventory entry recorded without its applied hash is
/// judged against it.
/// </param>
/// <param name="Revision">The revision worked on (for the drift event).</param>
internal sealed record DiffInput(DesiredState Desired, LiveSnapshot Live, string? LastAppliedDigest, string? Revision);

/// <summary>
/// Diffs every desired object against its live object, and every inventory object no longer desired (prune
/// candidates); classifies as drift the differences someone else made to what this application applied.
/// </summary>
internal sealed class DiffStage(StageContext context)
{
    public DiffSet Run(DiffInput input)
    {
        var app = context.Definition;
        var desired = input.Desired;
        var live = input.Live.Objects;
        var options = new DiffOptions
        {
            FieldManager = context.Services.Options.FieldManager,
            IgnoreRules = [.. context.Services.Options.IgnoreRules, .. app.IgnoreRules],
        };
        var diffs = new Dictionary<ResourceKey, ResourceDiff>();
        var desiredKeys = new HashSet<ResourceKey>();
        using (context.StartActivity("gitops.diff"))
        {
            foreach (var d in desired.Objects)
            {
                desiredKeys.Add(d.Key);
                diffs[d.Key] = context.Services.DiffEngine.Diff(d, live.GetValueOrDefault(d.Key), null, options);
            }

            foreach (var e in input.Live.Inventory?.Entries ?? [])
            {
                if (!desiredKeys.Contains(e.Key) && live.TryGetValue(e.Key, out var l))
                {
                    diffs[e.Key] = context.Services.DiffEngine.Diff(null, l, null, options);
                }
            }
        }

        var drift = FindDrift(desired, input.Live.Inventory, diffs, input.LastAppliedDigest);
        if (drift.Length > 0)
        {
            context.Services.Metrics.DriftCount.Add(drift.Length, context.MetricTags());
            Log.DriftDetected(context.Logger, app.Name, string.Join(" | ", drift.Select(static d => d.ToString())));
            context.Publish(new DriftDetected
            {
                Application = app.Name,
                Timestamp = context.Now,
                Revision = input.Revision,
                Objects = drift,
                WillCorrect = app.Mode == ReconcileMode.Correct,
            });
        }

        return new DiffSet(diffs, drift);
    }

    private static ImmutableArray<ObjectDrift> FindDrift(DesiredState desired, Inventory? inventory, Dictionary<ResourceKey, ResourceDiff> diffs, string? lastAppliedDigest)
    {
        if (inventory is null)
        {
            return [];
        }

        var entries = inventory.Entries.ToDictionary(static e => e.Key);
        var sameContent = string.Equals(lastAppliedDigest, desired.Digest, StringComparison.Ordinal);
        var result = ImmutableArray.CreateBuilder<ObjectDrift>();
        foreach (var d in desired.Objects)
        {
            if (!entries.TryGetValue(d.Key, out var entry) || !diffs.TryGetValue(d.Key, out var diff) || !diff.HasDrift)
            {
                continue;
            }

            // Drift is a difference to what we applied ourselves: the desired object is the one last applied.
            var unchangedDesired = entry.AppliedHash is { } h ? string.Equals(h, d.ContentHash, StringComparison.Ordinal) : sameContent;
            if (unchangedDesired && diff.Action is DiffAction.Create or DiffAction.Update)
            {
                result.Add(new ObjectDrift(d.Key, diff.Action, diff.Changes));
            }
        }

        return result.ToImmutable();
    }
}
