using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// Writes one object at a time to a target (a cluster, an emulator, a fake). The engine's plan executor owns everything
/// that spans objects — sync waves, kind order, CRD gating, concurrency, stopping after a failure, prune order and the
/// decision to delete and re-create an object whose immutable fields changed — and calls a writer for each step, as
/// gitops-engine's sync context calls its resource operations.
/// </summary>
/// <remarks>
/// A writer reports expected failures (a refused write, a conflict, a missing namespace) as a
/// <see cref="WriteResult"/> with <see cref="ApplyOutcome.Failed"/>, never as an exception; exceptions are for bugs and
/// cancellation. It must be safe to call concurrently, up to <see cref="MaxConcurrency"/> calls at once.
/// </remarks>
/// <example>
/// <code>
/// public sealed class FileWriter : IResourceWriter
/// {
///     public int MaxConcurrency =&gt; 4;
///
///     public ValueTask&lt;WriteResult&gt; ApplyAsync(ApplyRequest request, CancellationToken cancellationToken) =&gt; ...;
///
///     public ValueTask&lt;WriteResult&gt; DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) =&gt; ...;
///
///     public ValueTask&lt;ReadinessResult&gt; WaitEstablishedAsync(KubeObject definition, CancellationToken cancellationToken) =&gt;
///         ValueTask.FromResult(ReadinessResult.Ready);
/// }
/// </code>
/// </example>
public interface IResourceWriter
{
    /// <summary>Gets how many writes the target takes at once; the executor never runs more within a batch.</summary>
    int MaxConcurrency { get; }

    /// <summary>Creates or updates one object (server-side apply on Kubernetes); a dry-run stores nothing.</summary>
    /// <param name="request">The object, the live object it was planned against, dry-run, force and field manager.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// <see cref="ApplyOutcome.Created"/>, <see cref="ApplyOutcome.Configured"/> or <see cref="ApplyOutcome.Unchanged"/>
    /// with the stored object, or <see cref="ApplyOutcome.Failed"/> with a <see cref="WriteFailure"/>: report a change of
    /// immutable fields as <see cref="WriteFailure.ImmutableField"/> naming them, so that the executor can decide on a
    /// re-creation.
    /// </returns>
    ValueTask<WriteResult> ApplyAsync(ApplyRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes one object; an object that is already gone is reported as deleted (or unchanged), not as a failure.</summary>
    /// <param name="request">The object, the propagation policy, dry-run and whether to wait until it is gone.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns><see cref="ApplyOutcome.Deleted"/>, <see cref="ApplyOutcome.Skipped"/> (the object was replaced since planning) or <see cref="ApplyOutcome.Failed"/>.</returns>
    ValueTask<WriteResult> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until a definition the plan just applied (a CustomResourceDefinition) is established and its kinds can be
    /// written; the executor calls it once per definition before the first object of a kind it defines.
    /// </summary>
    /// <param name="definition">The definition as desired.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see cref="ReadinessResult.Ready"/>, or why it is not (e.g. a timeout), in words.</returns>
    ValueTask<ReadinessResult> WaitEstablishedAsync(KubeObject definition, CancellationToken cancellationToken);
}

/// <summary>One object to apply (<see cref="IResourceWriter.ApplyAsync"/>).</summary>
public sealed record ApplyRequest
{
    /// <summary>Gets the desired object.</summary>
    public required KubeObject Desired { get; init; }

    /// <summary>Gets the live object the step was planned against, or <see langword="null"/> when it did not exist (or was deleted for re-creation).</summary>
    public KubeObject? Live { get; init; }

    /// <summary>Gets the application the object belongs to, for logs.</summary>
    public string Application { get; init; } = string.Empty;

    /// <summary>Gets a value indicating whether nothing is stored. <value>Default: <see langword="false"/>.</value></summary>
    public bool DryRun { get; init; }

    /// <summary>Gets a value indicating whether field ownership conflicts are overridden. <value>Default: <see langword="false"/>.</value></summary>
    public bool Force { get; init; }

    /// <summary>Gets the field manager, or <see langword="null"/> for the writer's configured default.</summary>
    public string? FieldManager { get; init; }
}

/// <summary>One object to delete (<see cref="IResourceWriter.DeleteAsync"/>).</summary>
public sealed record DeleteRequest
{
    /// <summary>Gets the object (apiVersion, kind, namespace, name); when it carries <c>metadata.uid</c>, only that very object is deleted.</summary>
    public required KubeObject Target { get; init; }

    /// <summary>Gets the application the object belongs to, for logs.</summary>
    public string Application { get; init; } = string.Empty;

    /// <summary>Gets a value indicating whether nothing is deleted. <value>Default: <see langword="false"/>.</value></summary>
    public bool DryRun { get; init; }

    /// <summary>Gets the deletion propagation policy (<c>Background</c>, <c>Foreground</c>, <c>Orphan</c>). <value>Default: <c>Background</c>.</value></summary>
    public string PropagationPolicy { get; init; } = "Background";

    /// <summary>Gets a value indicating whether the call returns only once the object is gone (before a re-creation). <value>Default: <see langword="false"/>.</value></summary>
    public bool WaitUntilGone { get; init; }
}

/// <summary>Why a write failed, as far as the executor needs to know to decide what comes next.</summary>
public enum WriteFailure
{
    /// <summary>The write did not fail.</summary>
    None,

    /// <summary>The target refused the write for another reason; see <see cref="WriteResult.Message"/>.</summary>
    Other,

    /// <summary>Fields that cannot change did change (<see cref="WriteResult.ImmutableFields"/> names them).</summary>
    ImmutableField,

    /// <summary>Another field manager owns a field the write sets; forcing takes it over.</summary>
    Conflict,

    /// <summary>The object's namespace does not exist.</summary>
    NamespaceNotFound,

    /// <summary>The target does not serve the object's kind (its definition is not installed yet).</summary>
    KindNotServed,
}

/// <summary>What happened to one object at the writer.</summary>
public sealed record WriteResult
{
    /// <summary>Gets the outcome.</summary>
    public required ApplyOutcome Outcome { get; init; }

    /// <summary>Gets the reason of a failure or skip, or a note (e.g. a repair the writer made).</summary>
    public string? Message { get; init; }

    /// <summary>Gets the object as the target stored it, when known.</summary>
    public KubeObject? Result { get; init; }

    /// <summary>Gets why the write failed; <see cref="WriteFailure.None"/> unless <see cref="Outcome"/> is <see cref="ApplyOutcome.Failed"/>.</summary>
    public WriteFailure Failure { get; init; }

    /// <summary>Gets the immutable fields that changed (dotted paths such as <c>spec.selector</c>), for <see cref="WriteFailure.ImmutableField"/>.</summary>
    public ImmutableArray<string> ImmutableFields { get; init; } = [];

    /// <summary>Creates a successful result.</summary>
    /// <param name="outcome">Created, Configured, Unchanged or Deleted.</param>
    /// <param name="result">The stored object.</param>
    /// <param name="message">A note, if any.</param>
    /// <returns>The result.</returns>
    public static WriteResult Success(ApplyOutcome outcome, KubeObject? result = null, string? message = null) =>
        new() { Outcome = outcome, Result = result, Message = message };

    /// <summary>Creates a failed result.</summary>
    /// <param name="message">What went wrong, in words.</param>
    /// <param name="failure">The kind of failure.</param>
    /// <returns>The result.</returns>
    public static WriteResult Failed(string message, WriteFailure failure = WriteFailure.Other) =>
        new() { Outcome = ApplyOutcome.Failed, Message = message, Failure = failure == WriteFailure.None ? WriteFailure.Other : failure };

    /// <summary>Creates the result of a write refused because immutable fields changed.</summary>
    /// <param name="fields">The fields.</param>
    /// <param name="message">The target's words.</param>
    /// <returns>The result.</returns>
    public static WriteResult Immutable(IEnumerable<string> fields, string message) =>
        new() { Outcome = ApplyOutcome.Failed, Message = message, Failure = WriteFailure.ImmutableField, ImmutableFields = [.. fields] };
}

/// <summary>Whether a definition is established (<see cref="IResourceWriter.WaitEstablishedAsync"/>).</summary>
/// <param name="IsReady">Whether objects of its kinds can be written now.</param>
/// <param name="Message">Why not, when not.</param>
public sealed record ReadinessResult(bool IsReady, string? Message = null)
{
    /// <summary>Gets the result for an established definition.</summary>
    public static ReadinessResult Ready { get; } = new(true);

    /// <summary>Creates the result for a definition that is not established.</summary>
    /// <param name="message">Why, in words (name the definition and the option that sets the timeout).</param>
    /// <returns>The result.</returns>
    public static ReadinessResult NotReady(string message) => new(false, message);
}
