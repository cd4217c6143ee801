using System.Text.Json;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>
/// The applications of the <c>GitOpsApplication</c> resources the watcher sees: one per resource, named after it. A spec
/// with problems offers no definition but an <see cref="ApplicationProblem"/> (so a running application of that name
/// keeps its previous definition); a name taken by an older resource in another namespace is not offered again.
/// </summary>
internal sealed class GitOpsApplicationSource : IApplicationSource
{
    /// <summary>The source's name in logs, events and refusals.</summary>
    public const string SourceName = "gitopsapplications";

    private readonly GitOpsApplicationSourceOptions _options;
    private readonly IEnumerable<IRendererOptionsBinder> _rendererBinders;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _reportedDuplicates = new(StringComparer.Ordinal);
    private volatile ApplicationSnapshot _snapshot;
    private volatile IReadOnlyList<ResourceEntry> _entries = [];
    private CancellationTokenSource _changed = new();
    private long _reads;

    public GitOpsApplicationSource(GitOpsApplicationSourceOptions options, IEnumerable<IRendererOptionsBinder> rendererBinders, ILogger<GitOpsApplicationSource> logger)
    {
        _options = options;
        _rendererBinders = rendererBinders;
        _logger = logger;
        _snapshot = new ApplicationSnapshot([], new CancellationChangeToken(_changed.Token));
    }

    public string Name => SourceName;

    /// <summary>Gets the resources as last read, in the order names are given out (oldest first).</summary>
    public IReadOnlyList<ResourceEntry> Entries => _entries;

    /// <summary>Called (on the publishing thread) after every read, changed or not: the status writer looks again.</summary>
    public event Action? EntriesChanged;

    /// <summary>Gets how many times the resources were read; for tests.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    public ApplicationSnapshot GetSnapshot() => _snapshot;

    /// <summary>Reads the resources (from the watch cache) and publishes a new snapshot when the applications changed.</summary>
    public void Publish(IEnumerable<KubeObject> resources)
    {
        var entries = new List<ResourceEntry>();
        var owners = new Dictionary<string, ResourceEntry>(StringComparer.Ordinal);
        // The live state may watch the kind in a namespace too (an application that manages GitOpsApplications), and
        // then lists such a resource once per cache.
        var distinct = resources.Where(static r => !IsDeleting(r)).DistinctBy(static r => (r.Namespace, r.Name));
        foreach (var resource in distinct.OrderBy(CreatedAt).ThenBy(static r => r.Namespace, StringComparer.Ordinal).ThenBy(static r => r.Name, StringComparer.Ordinal))
        {
            var entry = GitOpsApplicationSpec.Read(resource, _options, _rendererBinders);
            if (owners.TryGetValue(entry.Name, out var owner))
            {
                entry = entry with { DuplicateOf = owner.Id };
            }
            else
            {
                owners[entry.Name] = entry;
            }

            entries.Add(entry);
        }

        ReportDuplicates(entries);
        var offered = entries.Where(static e => e.DuplicateOf is null).ToArray();
        var definitions = offered.Select(static e => e.Definition).OfType<ApplicationDefinition>().ToArray();
        var problems = offered.SelectMany(static e => e.Problems.Select(p => new ApplicationProblem(e.Name, p))).ToArray();
        CancellationTokenSource? fire = null;
        lock (_lock)
        {
            var current = _snapshot;
            if (!current.Applications.SequenceEqual(definitions) || !current.Problems.SequenceEqual(problems))
            {
                fire = _changed;
                _changed = new CancellationTokenSource();
                _snapshot = new ApplicationSnapshot(definitions, new CancellationChangeToken(_changed.Token), problems);
            }

            _entries = [.. entries];
        }

        // Outside the lock: the engine reads the new snapshot on this thread.
        if (fire is not null)
        {
            fire.Cancel();
            fire.Dispose();
        }

        Interlocked.Increment(ref _reads);
        EntriesChanged?.Invoke();
    }

    private void ReportDuplicates(List<ResourceEntry> entries)
    {
        var current = entries.Where(static e => e.DuplicateOf is not null).Select(static e => $"{e.Id}\n{e.DuplicateOf}").ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.DuplicateOf is not null && !_reportedDuplicates.Contains($"{e.Id}\n{e.DuplicateOf}")))
        {
            Log.DuplicateName(_logger, entry.Id, entry.DuplicateOf!, entry.Name);
        }

        _reportedDuplicates.Clear();
        _reportedDuplicates.UnionWith(current);
    }

    private static bool IsDeleting(KubeObject resource) =>
        resource.Metadata.TryGetProperty("deletionTimestamp", out var d) && d.ValueKind == JsonValueKind.String;

    private static string CreatedAt(KubeObject resource) =>
        resource.Metadata.TryGetProperty("creationTimestamp", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : string.Empty;
}
