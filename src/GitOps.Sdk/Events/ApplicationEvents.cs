using System.Collections.Immutable;

namespace GitOps.Sdk.Events;

/// <summary>An application source added an application while the host runs; its reconcile loop starts.</summary>
public sealed record ApplicationAdded : ReconcileEvent
{
    /// <summary>Gets the name of the <c>IApplicationSource</c> that added it.</summary>
    public required string Source { get; init; }
}

/// <summary>An application's definition changed while the host runs; its reconcile loop restarts with the new one.</summary>
public sealed record ApplicationChanged : ReconcileEvent
{
    /// <summary>Gets the name of the <c>IApplicationSource</c> the new definition comes from.</summary>
    public required string Source { get; init; }
}

/// <summary>
/// An application is no longer offered by any source; its reconcile loop stopped. Its objects stay in the cluster,
/// still labelled as the application's, and are not pruned.
/// </summary>
public sealed record ApplicationRemoved : ReconcileEvent
{
    /// <summary>Gets the name of the <c>IApplicationSource</c> it came from.</summary>
    public required string Source { get; init; }
}

/// <summary>
/// A definition an application source offers does not run: it is invalid, or another source already provides an
/// application of that name. Published once per distinct refusal (again after it was resolved and came back).
/// </summary>
public sealed record ApplicationRefused : ReconcileEvent
{
    /// <summary>Gets the name of the <c>IApplicationSource</c> that offered the refused definition.</summary>
    public required string Source { get; init; }

    /// <summary>Gets why, each naming the setting or the other source.</summary>
    public required ImmutableArray<string> Reasons { get; init; }

    /// <summary>Gets the source that keeps the name, when the refusal is a duplicate name.</summary>
    public string? OtherSource { get; init; }

    /// <summary>Gets a value indicating whether the application keeps running with its previous definition.</summary>
    public bool KeptPrevious { get; init; }
}

/// <summary>
/// An application did not reconcile because a dependency (<c>ApplicationDefinition.DependsOn</c>) is not ready: unknown,
/// suspended, not Ready at the revision it last worked on, or not Healthy. Published when the wait begins and whenever
/// what it waits for changes; the application's Ready condition (reason <c>DependencyNotReady</c>) says the same.
/// </summary>
public sealed record DependencyNotReady : ReconcileEvent
{
    /// <summary>Gets the dependencies that are not ready.</summary>
    public required ImmutableArray<string> Dependencies { get; init; }

    /// <summary>Gets what the application waits for, e.g. <c>waiting for shop-db (Progressing)</c>.</summary>
    public required string Message { get; init; }
}
