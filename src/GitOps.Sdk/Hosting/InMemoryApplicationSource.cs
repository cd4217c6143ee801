using Microsoft.Extensions.Primitives;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// An <see cref="IApplicationSource"/> the host changes in code while it runs: add, replace or remove applications
/// and the engine starts, restarts or stops their reconcile loops. Thread-safe. Register it with
/// <c>AddApplicationSource(source)</c> and keep the instance (or resolve it from the container).
/// </summary>
/// <example>
/// <code>
/// var applications = new InMemoryApplicationSource();
/// services.AddGitOps().AddApplicationSource(applications).AddGitSource().AddKubernetesTarget();
/// // later, e.g. from an admin endpoint:
/// applications.Set(definition);
/// applications.Remove("shop");
/// </code>
/// </example>
public sealed class InMemoryApplicationSource : IApplicationSource
{
    private readonly Lock _lock = new();
    private readonly string _name;
    private List<ApplicationDefinition> _applications;
    private CancellationTokenSource _changed = new();
    private ApplicationSnapshot _snapshot;

    /// <summary>Initializes a new instance of the <see cref="InMemoryApplicationSource"/> class.</summary>
    /// <param name="applications">The first applications.</param>
    /// <param name="name">The source's name in logs and events. <value>Default: <c>in-memory</c>.</value></param>
    public InMemoryApplicationSource(IEnumerable<ApplicationDefinition>? applications = null, string name = "in-memory")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        _applications = applications is null ? [] : [.. applications];
        _snapshot = new ApplicationSnapshot(_applications, new CancellationChangeToken(_changed.Token));
    }

    /// <inheritdoc/>
    public string Name => _name;

    /// <summary>Gets the applications as they are now.</summary>
    public IReadOnlyList<ApplicationDefinition> Applications => GetSnapshot().Applications;

    /// <inheritdoc/>
    public ApplicationSnapshot GetSnapshot()
    {
        lock (_lock)
        {
            return _snapshot;
        }
    }

    /// <summary>Adds an application, or replaces the one with the same name (its loop restarts when anything differs).</summary>
    /// <param name="application">The application.</param>
    public void Set(ApplicationDefinition application)
    {
        ArgumentNullException.ThrowIfNull(application);
        Update(list =>
        {
            var index = list.FindIndex(a => string.Equals(a.Name, application.Name, StringComparison.Ordinal));
            if (index >= 0)
            {
                list[index] = application;
            }
            else
            {
                list.Add(application);
            }

            return true;
        });
    }

    /// <summary>Removes an application; its loop stops and its objects stay in the cluster.</summary>
    /// <param name="name">The application's name.</param>
    /// <returns><see langword="false"/> when no application has that name.</returns>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Update(list => list.RemoveAll(a => string.Equals(a.Name, name, StringComparison.Ordinal)) > 0);
    }

    /// <summary>Replaces every application at once (one change for the engine).</summary>
    /// <param name="applications">The applications.</param>
    public void Replace(IEnumerable<ApplicationDefinition> applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        var replacement = applications.ToList();
        Update(list =>
        {
            list.Clear();
            list.AddRange(replacement);
            return true;
        });
    }

    private bool Update(Func<List<ApplicationDefinition>, bool> change)
    {
        CancellationTokenSource previous;
        lock (_lock)
        {
            var list = new List<ApplicationDefinition>(_applications);
            if (!change(list))
            {
                return false;
            }

            _applications = list;
            previous = _changed;
            _changed = new CancellationTokenSource();
            _snapshot = new ApplicationSnapshot(list, new CancellationChangeToken(_changed.Token));
        }

        // Outside the lock: callbacks run here and read the new snapshot. The old source is not disposed: a consumer may
        // still register on its token, which then calls back at once.
        previous.Cancel();
        return true;
    }
}
