using GitOps.Sdk.Events;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Controls the engine at run time: status, events, manual and webhook triggers, suspend and resume, approvals.
/// Registered by <c>services.AddGitOps(...)</c>.
/// </summary>
/// <example>
/// <code>
/// app.MapPost("/hooks/git", (IGitOpsController gitops, PushEvent push) =&gt; gitops.NotifySourceChanged(push.RepositoryUrl));
/// app.MapGet("/gitops/{name}", (IGitOpsController gitops, string name) =&gt; gitops.GetStatus(name));
/// </code>
/// </example>
public interface IGitOpsController
{
    /// <summary>Gets every reconcile event of every application.</summary>
    IObservable<ReconcileEvent> Events { get; }

    /// <summary>Gets the names of the applications that run now (they follow the <see cref="IApplicationSource"/>s).</summary>
    IReadOnlyList<string> Applications { get; }

    /// <summary>Returns the definition an application runs with now.</summary>
    /// <param name="application">The application name.</param>
    /// <returns>The definition, or <see langword="null"/> for an unknown (or removed) application.</returns>
    ApplicationDefinition? GetDefinition(string application);

    /// <summary>Returns the definitions of every application that runs now, in source order and then listing order.</summary>
    /// <returns>The definitions.</returns>
    IReadOnlyList<ApplicationDefinition> GetDefinitions();

    /// <summary>Returns an application's status.</summary>
    /// <param name="application">The application name.</param>
    /// <returns>The status, or <see langword="null"/> for an unknown application.</returns>
    ApplicationStatus? GetStatus(string application);

    /// <summary>Returns the status of every application.</summary>
    /// <returns>The statuses, in source order and then listing order.</returns>
    IReadOnlyList<ApplicationStatus> GetAll();

    /// <summary>Asks the scheduler to reconcile an application soon (manual or webhook trigger); returns at once.</summary>
    /// <param name="application">The application name.</param>
    /// <returns>
    /// <see langword="false"/> for an unknown or suspended application. An application that waits for its dependencies
    /// only checks them again.
    /// </returns>
    bool RequestReconcile(string application);

    /// <summary>Tells the engine that a source changed (e.g. from a push webhook): every application using it reconciles soon.</summary>
    /// <param name="sourceUrl">The source URL, compared without credentials, trailing slashes and <c>.git</c>.</param>
    /// <returns>The number of applications triggered.</returns>
    int NotifySourceChanged(string sourceUrl);

    /// <summary>Reconciles an application now and waits for the result (used by the CLI and by tests; honours the concurrency limit).</summary>
    /// <param name="application">The application name.</param>
    /// <param name="cancellationToken">Cancels the reconcile.</param>
    /// <returns>The result.</returns>
    /// <exception cref="KeyNotFoundException">The application is unknown.</exception>
    /// <exception cref="InvalidOperationException">
    /// A dependency (<see cref="ApplicationDefinition.DependsOn"/>) is not ready; the message names each one and why.
    /// </exception>
    Task<ReconcileResult> ReconcileAsync(string application, CancellationToken cancellationToken);

    /// <summary>Suspends scheduled reconciles of an application (a running one finishes).</summary>
    /// <param name="application">The application name.</param>
    /// <returns><see langword="false"/> for an unknown application.</returns>
    bool Suspend(string application);

    /// <summary>Resumes a suspended application and reconciles it soon.</summary>
    /// <param name="application">The application name.</param>
    /// <returns><see langword="false"/> for an unknown application.</returns>
    bool Resume(string application);

    /// <summary>
    /// Approves the plan held with <paramref name="planHash"/> (<see cref="ApplicationStatus.HeldPlan"/>) and reconciles soon.
    /// The approval covers exactly that plan: if live or desired state moved meanwhile, the new plan is held again.
    /// </summary>
    /// <param name="application">The application name.</param>
    /// <param name="planHash">The hash shown in the held plan.</param>
    /// <returns><see langword="false"/> when the application holds no plan with that hash.</returns>
    bool Approve(string application, string planHash);
}
