using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitOps.Samples.WebHost;

/// <summary>The HTTP surface of the web host.</summary>
public static partial class Endpoints
{
    /// <summary>Maps the status page, the application API, the push webhook and <c>/metrics</c>.</summary>
    /// <param name="app">The route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapGitOpsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (IGitOpsController gitops) => Results.Content(StatusPage.Render(gitops.GetAll()), "text/html; charset=utf-8"));

        app.MapGet("/apps", (IGitOpsController gitops) => gitops.GetAll().Select(AppSummary.From));

        app.MapGet("/apps/{name}", (IGitOpsController gitops, string name) =>
            gitops.GetStatus(name) is { } status ? Results.Ok(AppDetail.From(status)) : NotFound(name));

        app.MapGet("/apps/{name}/diff", async (LiveDiff diff, string name, CancellationToken cancellationToken) =>
            await diff.ComputeAsync(name, cancellationToken) is { } result ? Results.Ok(result) : NotFound(name));

        app.MapPost("/apps/{name}/reconcile", (IGitOpsController gitops, string name) =>
            gitops.GetStatus(name) is null ? NotFound(name)
            : gitops.RequestReconcile(name) ? Results.Accepted($"/apps/{name}", new { application = name, requested = true })
            : Results.Conflict(new { application = name, error = "the application is suspended" }));

        app.MapPost("/hooks/git", async (HttpRequest request, IGitOpsController gitops, IOptions<WebhookOptions> options, ILoggerFactory loggers) =>
        {
            var logger = loggers.CreateLogger("GitOps.Samples.WebHost.Webhook");
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            if (!PushWebhook.Verify(options.Value.Secret, body, request.Headers[PushWebhook.SignatureHeader].ToString()))
            {
                Log.BadSignature(logger, request.HttpContext.Connection.RemoteIpAddress?.ToString());
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "invalid or missing X-Hub-Signature-256");
            }

            var urls = PushWebhook.RepositoryUrls(body);
            if (urls.Count == 0)
            {
                return Results.BadRequest(new { error = "not a push payload: repository URL missing" });
            }

            // A repository has several URLs (https, ssh, html); each application matches at most one of them.
            var triggered = urls.Max(gitops.NotifySourceChanged);
            Log.PushReceived(logger, SafeUrl.Redact(urls[0]), triggered);
            return Results.Accepted(value: new { repository = SafeUrl.Redact(urls[0]), triggered });
        });

        app.MapGet("/metrics", (PrometheusMetrics metrics) => Results.Text(metrics.Render(), PrometheusMetrics.ContentType));
        return app;
    }

    private static IResult NotFound(string name) => Results.NotFound(new { error = $"no application named '{name}'" });

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Push webhook from {Remote} refused: bad signature")]
        public static partial void BadSignature(ILogger logger, string? remote);

        [LoggerMessage(2, LogLevel.Information, "Push webhook for {Repository}: {Count} application(s) will reconcile")]
        public static partial void PushReceived(ILogger logger, string repository, int count);
    }
}

/// <summary>One row of <c>GET /apps</c>.</summary>
/// <param name="Name">The application.</param>
/// <param name="Source">Its source (credentials redacted).</param>
/// <param name="Sync">Synced, OutOfSync, Failed, Suspended or Unknown.</param>
/// <param name="Health">The aggregated health.</param>
/// <param name="Revision">The last applied revision.</param>
/// <param name="LastReconcileTime">When it last reconciled.</param>
/// <param name="LastError">The last error, if the last reconcile failed.</param>
public sealed record AppSummary(string Name, string? Source, string Sync, string Health, string? Revision, DateTimeOffset? LastReconcileTime, string? LastError)
{
    /// <summary>Summarises a status.</summary>
    /// <param name="s">The status.</param>
    /// <returns>The row.</returns>
    public static AppSummary From(ApplicationStatus s) =>
        new(s.Name, s.Source, SyncOf(s), (s.Health?.Status ?? HealthStatus.Unknown).ToString(), s.LastAppliedRevision, s.LastReconcileTime, s.LastError);

    /// <summary>The one-word sync state shown on badges.</summary>
    /// <param name="s">The status.</param>
    /// <returns>The state.</returns>
    public static string SyncOf(ApplicationStatus s) =>
        s.Suspended ? "Suspended"
        : s.LastError is not null ? "Failed"
        : s.LastAppliedRevision is null ? "Unknown"
        : s.Objects.Any(o => o.Sync != SyncStatus.Synced) || s.Is(ConditionTypes.Drifted) ? "OutOfSync"
        : "Synced";
}

/// <summary><c>GET /apps/{name}</c>: status, health, objects and the last drift.</summary>
/// <param name="Summary">The summary row.</param>
/// <param name="HealthMessage">Why the health is what it is.</param>
/// <param name="Conditions">The status conditions.</param>
/// <param name="Objects">Every managed object.</param>
/// <param name="LastDrift">The last drift seen, if any.</param>
/// <param name="History">Recent reconciles, newest first.</param>
public sealed record AppDetail(
    AppSummary Summary,
    string? HealthMessage,
    IReadOnlyList<StatusCondition> Conditions,
    IReadOnlyList<AppObject> Objects,
    AppDrift? LastDrift,
    IReadOnlyList<ReconcileRecord> History)
{
    /// <summary>Describes a status.</summary>
    /// <param name="s">The status.</param>
    /// <returns>The detail.</returns>
    public static AppDetail From(ApplicationStatus s) => new(
        AppSummary.From(s),
        s.Health?.Message,
        s.Conditions,
        [.. s.Objects.Select(o => new AppObject(o.Key.ToString(), o.Sync.ToString(), o.Health.Status.ToString(), o.Health.Message ?? o.Message))],
        AppDrift.From(s.LastDrift),
        s.History);
}

/// <summary>One managed object.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Sync">Its sync state.</param>
/// <param name="Health">Its health.</param>
/// <param name="Message">Why, when known.</param>
public sealed record AppObject(string Key, string Sync, string Health, string? Message);

/// <summary>A drift: what changed outside Git, by whom, and whether it was corrected.</summary>
/// <param name="DetectedAt">When it was seen.</param>
/// <param name="Revision">The desired revision it was compared with.</param>
/// <param name="Corrected">Whether the engine put it back.</param>
/// <param name="Objects">The drifted objects.</param>
public sealed record AppDrift(DateTimeOffset DetectedAt, string? Revision, bool Corrected, IReadOnlyList<AppDriftObject> Objects)
{
    /// <summary>Describes a drift report.</summary>
    /// <param name="d">The report.</param>
    /// <returns>The drift, or <see langword="null"/>.</returns>
    public static AppDrift? From(DriftReport? d) => d is null ? null : new(
        d.DetectedAt,
        d.Revision,
        d.Corrected,
        [.. d.Objects.Select(o => new AppDriftObject(o.Key.ToString(), o.Action.ToString(), [.. o.Changes.Select(AppFieldChange.From)]))]);
}

/// <summary>One drifted object.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Action">What correcting it takes (Create, Update, Delete).</param>
/// <param name="Changes">The changed fields.</param>
public sealed record AppDriftObject(string Key, string Action, IReadOnlyList<AppFieldChange> Changes);

/// <summary>One changed field.</summary>
/// <param name="Path">The JSON pointer.</param>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Desired">The value in Git.</param>
/// <param name="Live">The value in the cluster.</param>
/// <param name="ChangedBy">Who wrote the live value (field manager), when known.</param>
public sealed record AppFieldChange(string Path, string Kind, string? Desired, string? Live, string? ChangedBy)
{
    /// <summary>Describes a field change.</summary>
    /// <param name="c">The change.</param>
    /// <returns>The description.</returns>
    public static AppFieldChange From(FieldChange c) => new(c.Path, c.Kind.ToString(), c.DesiredValue, c.LiveValue, c.Attribution?.ToString());
}

/// <summary><c>GET /apps/{name}/diff</c>: what differs between Git (rendered now) and the live objects (read now).</summary>
/// <param name="Application">The application.</param>
/// <param name="Revision">The revision fetched from the source.</param>
/// <param name="InSync">Whether no desired object differs.</param>
/// <param name="Unchanged">How many desired objects match the live ones.</param>
/// <param name="Objects">The objects that differ, with field changes and a unified diff (Secret values masked).</param>
/// <param name="Error">Why the diff could not be computed (fetch or render failed).</param>
public sealed record AppDiff(string Application, string? Revision, bool InSync, int Unchanged, IReadOnlyList<AppObjectDiff> Objects, string? Error)
{
    /// <summary>A diff that could not be computed.</summary>
    /// <param name="application">The application.</param>
    /// <param name="revision">The revision, when fetched.</param>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static AppDiff Failed(string application, string? revision, string error) => new(application, revision, false, 0, [], error);
}

/// <summary>One object that differs.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Action">What applying Git would do (Create, Update).</param>
/// <param name="Changes">The changed fields, with who last wrote the live value.</param>
/// <param name="Unified">A unified text diff like <c>kubectl diff</c>.</param>
public sealed record AppObjectDiff(string Key, string Action, IReadOnlyList<AppFieldChange> Changes, string Unified);
