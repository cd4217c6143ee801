using System.Collections.Immutable;
using Microsoft.Extensions.Primitives;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Supplies applications to the engine as immutable snapshots, each with a change token that fires when a newer snapshot
/// is available (the shape of YARP's <c>IProxyConfigProvider</c>). Every registered source is asked; their applications
/// are combined, and a name defined by two sources is refused. Built in: applications set in code
/// (<see cref="GitOpsOptions.Applications"/>, <c>AddApplication</c>), the <c>GitOps:Applications</c> configuration section
/// (<c>AddGitOps(IConfiguration)</c>, reloaded when the configuration reloads), and <see cref="InMemoryApplicationSource"/>.
/// </summary>
/// <remarks>
/// When a token fires the engine asks for a new snapshot and validates it whole: a snapshot with any problem is refused,
/// the source's previous snapshot stays in force and the problems are logged naming application and field. An added
/// application starts its reconcile loop; a changed one (any setting) restarts with a fresh reconciler; a removed one
/// stops, and its objects stay in the cluster untouched.
/// </remarks>
/// <example>
/// <code>
/// public sealed class DatabaseApplicationSource(IAppStore store) : IApplicationSource
/// {
///     public string Name =&gt; "database";
///
///     public ApplicationSnapshot GetSnapshot() =&gt; new()
///     {
///         Applications = [.. store.ReadAll().Select(row =&gt; new ApplicationDefinition { Name = row.Name, Source = new SourceReference { Url = row.Url } })],
///         ChangeToken = store.GetChangeToken(),
///     };
/// }
///
/// services.AddGitOps().AddApplicationSource&lt;DatabaseApplicationSource&gt;();
/// </code>
/// </example>
public interface IApplicationSource
{
    /// <summary>Gets a short name for messages and logs (for example <c>code</c> or <c>configuration</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Returns the current applications. Called once at start-up and again each time the previous snapshot's
    /// <see cref="ApplicationSnapshot.ChangeToken"/> fires; it should be cheap and must not block on I/O for long.
    /// </summary>
    /// <returns>The snapshot.</returns>
    ApplicationSnapshot GetSnapshot();
}

/// <summary>The applications of one <see cref="IApplicationSource"/> at one moment.</summary>
public sealed record ApplicationSnapshot
{
    /// <summary>Gets the applications.</summary>
    public ImmutableArray<ApplicationDefinition> Applications { get; init; } = [];

    /// <summary>
    /// Gets a token that fires when a newer snapshot is available. <value>Default: a token that never fires (the
    /// applications are fixed).</value>
    /// </summary>
    public IChangeToken ChangeToken { get; init; } = NeverChangeToken.Instance;

    /// <summary>
    /// Gets problems the source found while reading (for example a value that does not parse); any problem refuses the
    /// snapshot. Each should name the application and the field. <value>Default: none.</value>
    /// </summary>
    public ImmutableArray<string> Errors { get; init; } = [];
}

/// <summary>A change token that never fires, for sources whose applications never change.</summary>
internal sealed class NeverChangeToken : IChangeToken
{
    public static NeverChangeToken Instance { get; } = new();

    public bool HasChanged => false;

    public bool ActiveChangeCallbacks => false;

    public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => Nothing.Instance;

    private sealed class Nothing : IDisposable
    {
        public static Nothing Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
