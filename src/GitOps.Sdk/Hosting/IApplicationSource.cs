using System.Collections.Immutable;
using Microsoft.Extensions.Primitives;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Provides applications to reconcile, as an immutable <see cref="ApplicationSnapshot"/> with a change token that fires
/// when a newer snapshot is available (the shape of YARP's <c>IProxyConfigProvider</c>). Every registered source is
/// asked (<c>IEnumerable&lt;IApplicationSource&gt;</c>, in registration order); the engine's own source serves
/// <see cref="GitOpsOptions.Applications"/> (code and the <c>GitOps</c> configuration section, reloaded when the
/// configuration changes). Register more with <c>AddApplicationSource(...)</c>, e.g. an
/// <see cref="InMemoryApplicationSource"/> or one backed by a database or a custom resource.
/// </summary>
/// <remarks>
/// When a token fires the engine asks for a new snapshot and compares it with the applications it runs: a new name
/// starts a reconcile loop, a changed definition (<see cref="ApplicationDefinition"/> equality) restarts it, a missing
/// name stops it. Stopping never deletes the application's objects: they stay in the cluster, still labelled as the
/// application's, so no other application can take them over without its own adoption opt-in. A name offered by two
/// sources is refused from the later one while the first keeps running; an invalid definition is refused on its own
/// (a running application keeps its previous definition). Each refusal is logged as an error and published as an
/// <see cref="Events.ApplicationRefused"/> event. <see cref="GetSnapshot"/> is called on the thread that fired the
/// token (or at start-up) and must be fast and must not throw; read slow stores in the background and hand out the
/// last good snapshot.
/// </remarks>
/// <example>
/// <code>
/// public sealed class TeamCatalogSource : IApplicationSource
/// {
///     private volatile ApplicationSnapshot _current = ApplicationSnapshot.Empty;
///     private CancellationTokenSource _changed = new();
///
///     public string Name =&gt; "team-catalog";
///
///     public ApplicationSnapshot GetSnapshot() =&gt; _current;
///
///     // Called by the background job that polls the catalog.
///     public void Publish(IEnumerable&lt;ApplicationDefinition&gt; applications)
///     {
///         var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
///         _current = new ApplicationSnapshot(applications, new CancellationChangeToken(_changed.Token));
///         previous.Cancel();
///     }
/// }
/// </code>
/// </example>
public interface IApplicationSource
{
    /// <summary>Gets the name that logs, events and refusals use for this source. <value>Default: the type name.</value></summary>
    string Name => GetType().Name;

    /// <summary>Returns the current applications and the token that fires when they change.</summary>
    /// <returns>The snapshot.</returns>
    ApplicationSnapshot GetSnapshot();
}

/// <summary>
/// The applications an <see cref="IApplicationSource"/> offers at one moment, with the token that fires when a newer
/// snapshot is available. Immutable.
/// </summary>
public sealed class ApplicationSnapshot
{
    /// <summary>Initializes a new instance of the <see cref="ApplicationSnapshot"/> class.</summary>
    /// <param name="applications">The applications, in the order they are listed.</param>
    /// <param name="changeToken">Fires when a newer snapshot is available; <c>new CancellationChangeToken(CancellationToken.None)</c> when it never changes.</param>
    /// <param name="problems">
    /// Applications the source could not read (e.g. a configuration value that does not parse); each is refused like an
    /// invalid definition, and a running application of that name keeps its previous definition.
    /// </param>
    public ApplicationSnapshot(IEnumerable<ApplicationDefinition> applications, IChangeToken changeToken, IEnumerable<ApplicationProblem>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(applications);
        ArgumentNullException.ThrowIfNull(changeToken);
        Applications = [.. applications];
        ChangeToken = changeToken;
        Problems = problems is null ? [] : [.. problems];
    }

    /// <summary>Gets a token that never fires.</summary>
    internal static IChangeToken NeverChanges { get; } = new CancellationChangeToken(CancellationToken.None);

    // Declared after NeverChanges: static initializers run in order.
    /// <summary>Gets a snapshot with no applications that never changes.</summary>
    public static ApplicationSnapshot Empty { get; } = new([], NeverChanges);

    /// <summary>Gets the applications.</summary>
    public ImmutableArray<ApplicationDefinition> Applications { get; }

    /// <summary>Gets the token that fires when a newer snapshot is available.</summary>
    public IChangeToken ChangeToken { get; }

    /// <summary>Gets applications the source could not read.</summary>
    public ImmutableArray<ApplicationProblem> Problems { get; }
}

/// <summary>An application an <see cref="IApplicationSource"/> could not read.</summary>
/// <param name="Application">The application's name.</param>
/// <param name="Message">What is wrong, naming the setting (never a credential).</param>
public sealed record ApplicationProblem(string Application, string Message);
