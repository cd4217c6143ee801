using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Manifests;

namespace GitOps.Sdk.Tests.Reconciliation;

// Stand-ins for the default render stage, diff engine and planner until they land on main.
internal sealed class TestRenderStage : IRenderStage
{
    public ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken)
    {
        var reader = new ManifestReader();
        var objects = ImmutableArray.CreateBuilder<KubeObject>();
        var errors = new List<ManifestError>();
        foreach (var file in Directory.GetFiles(artifact.ContentDirectory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var result = reader.ReadFile(file, Path.GetRelativePath(artifact.RootDirectory, file));
            errors.AddRange(result.Errors.IsDefault ? [] : result.Errors);
            foreach (var o in result.Objects.IsDefault ? [] : result.Objects)
            {
                objects.Add(o.With(n =>
                {
                    var m = (JsonObject)n["metadata"]!;
                    if (m["namespace"] is null && o.Kind != "Namespace" && options.Namespace is not null)
                    {
                        m["namespace"] = options.Namespace;
                    }

                    var labels = m["labels"] as JsonObject ?? new JsonObject();
                    labels[WellKnown.ApplicationLabel] = options.ApplicationName;
                    m["labels"] = labels;
                }));
            }
        }

        return ValueTask.FromResult(errors.Count > 0
            ? RenderResult.Failure(errors, "plain")
            : RenderResult.Success(new DesiredState { Objects = objects.ToImmutable() }, "plain"));
    }
}

internal sealed class TestDiffEngine : IDiffEngine
{
    public ResourceDiff Diff(KubeObject? desired, KubeObject? live, KubeObject? lastApplied, DiffOptions options)
    {
        if (desired is null)
        {
            return new ResourceDiff { Key = live!.Key, Action = DiffAction.Prune, Changes = [new FieldChange("/", FieldChangeKind.Removed, null, "{}")] };
        }

        if (live is null)
        {
            return new ResourceDiff { Key = desired.Key, Action = DiffAction.Create, Changes = [new FieldChange("/", FieldChangeKind.Added, "{}", null)] };
        }

        var changes = ImmutableArray.CreateBuilder<FieldChange>();
        Compare(desired.Json, live.Json, string.Empty, changes, live);
        return new ResourceDiff { Key = desired.Key, Action = changes.Count == 0 ? DiffAction.Unchanged : DiffAction.Update, Changes = changes.ToImmutable() };
    }

    public string FormatUnified(ResourceDiff diff, int contextLines = 3) => string.Join("\n", diff.Changes.Select(c => $"{c.Path}: {c.LiveValue} -> {c.DesiredValue}"));

    private static void Compare(JsonElement desired, JsonElement live, string path, ImmutableArray<FieldChange>.Builder changes, KubeObject liveObject)
    {
        if (desired.ValueKind == JsonValueKind.Object && live.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in desired.EnumerateObject())
            {
                var child = path + "/" + p.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                if (live.TryGetProperty(p.Name, out var l))
                {
                    Compare(p.Value, l, child, changes, liveObject);
                }
                else
                {
                    changes.Add(new FieldChange(child, FieldChangeKind.Added, p.Value.GetRawText(), null));
                }
            }

            return;
        }

        if (!JsonElement.DeepEquals(desired, live))
        {
            changes.Add(new FieldChange(path, FieldChangeKind.Changed, desired.GetRawText(), live.GetRawText()) { Attribution = Attribute(liveObject, path) });
        }
    }

    private static FieldAttribution? Attribute(KubeObject live, string path)
    {
        if (!live.Metadata.TryGetProperty("managedFields", out var managed))
        {
            return null;
        }

        foreach (var entry in managed.EnumerateArray())
        {
            var fields = entry.GetProperty("fieldsV1");
            var found = true;
            foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!fields.TryGetProperty("f:" + segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal), out fields))
                {
                    found = false;
                    break;
                }
            }

            if (found)
            {
                return new FieldAttribution(entry.GetProperty("manager").GetString()!, entry.GetProperty("operation").GetString()!, null);
            }
        }

        return null;
    }
}

internal sealed class TestPlanner : IPlanner
{
    public ApplyPlan Plan(PlanRequest request)
    {
        var steps = ImmutableArray.CreateBuilder<PlanStep>();
        var desiredKeys = new HashSet<ResourceKey>();
        foreach (var d in request.Desired.Objects)
        {
            desiredKeys.Add(d.Key);
            request.Diffs.TryGetValue(d.Key, out var diff);
            request.Live.TryGetValue(d.Key, out var live);
            var action = diff is { HasDrift: true } ? PlanAction.Apply : PlanAction.None;
            if (request.Options.Held.TryGetValue(d.Key, out var reason))
            {
                steps.Add(new PlanStep { Key = d.Key, Action = PlanAction.Skip, Desired = d, Live = live, Diff = diff, Reason = reason });
                continue;
            }

            steps.Add(new PlanStep { Key = d.Key, Action = action, Desired = d, Live = live, Diff = diff });
        }

        var empty = request.Desired.Objects.IsDefaultOrEmpty;
        foreach (var e in request.PreviousInventory?.Entries ?? [])
        {
            if (desiredKeys.Contains(e.Key) || !request.Live.TryGetValue(e.Key, out var live))
            {
                continue;
            }

            request.Diffs.TryGetValue(e.Key, out var diff);
            if (!request.Options.Prune || (empty && !request.Options.AllowEmptyPrune))
            {
                steps.Add(new PlanStep { Key = e.Key, Action = PlanAction.Skip, Live = live, Diff = diff, Reason = "pruning is off" });
            }
            else if (request.Options.Held.TryGetValue(e.Key, out var reason))
            {
                steps.Add(new PlanStep { Key = e.Key, Action = PlanAction.Skip, Live = live, Diff = diff, Reason = reason });
            }
            else
            {
                steps.Add(new PlanStep { Key = e.Key, Action = PlanAction.Delete, Live = live, Diff = diff });
            }
        }

        return new ApplyPlan { Application = request.Application, Revision = request.Desired.Revision, Steps = steps.ToImmutable() };
    }
}

internal sealed class TestInventoryStore : IInventoryStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Inventory> _store = new();

    public ValueTask<Inventory?> GetAsync(string application, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_store.TryGetValue(application, out var i) ? i : null);

    public ValueTask SaveAsync(Inventory inventory, CancellationToken cancellationToken)
    {
        _store[inventory.Application] = inventory;
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(string application, CancellationToken cancellationToken)
    {
        _store.TryRemove(application, out _);
        return ValueTask.CompletedTask;
    }
}
