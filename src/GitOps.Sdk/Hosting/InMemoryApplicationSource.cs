using System.Collections.Immutable;
using Microsoft.Extensions.Primitives;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// An <see cref="IApplicationSource"/> whose applications a host sets in code at run time with <see cref="Update"/>
/// (the counterpart of YARP's <c>InMemoryConfigProvider</c>): for hosts that read applications from their own store,
/// and for tests.
/// </summary>
/// <example>
/// <code>
/// var apps = new InMemoryApplicationSource("catalog");
/// services.AddGitOps().AddApplicationSource(apps).AddGitSource().AddKubernetesTarget();
/// // later, while the host runs:
/// apps.Update([shop, shop2 with { Name = "shop-eu", Namespace = "shop-eu" }]);
/// </code>
/// </example>
public sealed class InMemoryApplicationSource : IApplicationSource
{
    private readonly Lock _gate = new();
    private ApplicationSnapshot _snapshot;
    private CancellationTokenSource _changed = new();

    /// <summary>Initializes a new instance of the <see cref="InMemoryApplicationSource"/> class.</summary>
    /// <param name="name">The name shown in messages. <value>Default: <c>in-memory</c>.</value></param>
    /// <param name="applications">The first applications. <value>Default: none.</value></param>
    public InMemoryApplicationSource(string name = "in-memory", IEnumerable<ApplicationDefinition>? applications = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _snapshot = Snapshot(applications ?? [], _changed.Token);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ApplicationSnapshot GetSnapshot() => Volatile.Read(ref _snapshot);

    /// <summary>
    /// Replaces the applications. The engine takes the new set before this method returns: added applications start,
    /// changed ones restart, removed ones stop (their objects stay). A set the engine refuses is logged and the
    /// previous one stays in force.
    /// </summary>
    /// <param name="applications">The complete new set.</param>
    public void Update(IEnumerable<ApplicationDefinition> applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        CancellationTokenSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new CancellationTokenSource();
            Volatile.Write(ref _snapshot, Snapshot(applications, _changed.Token));
        }

        // Not disposed: a reader may still register on the old token, which must then fire at once.
        previous.Cancel();
    }

    private static ApplicationSnapshot Snapshot(IEnumerable<ApplicationDefinition> applications, CancellationToken changed) =>
        new() { Applications = [.. applications], ChangeToken = new CancellationChangeToken(changed) };
}
