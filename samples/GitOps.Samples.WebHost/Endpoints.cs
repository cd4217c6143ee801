using GitOps.Sdk;
using GitOps.Sdk.AspNetCore;
using GitOps.Sdk.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitOps.Samples.WebHost;

/// <summary>The HTTP surface of the web host.</summary>
public static partial class Endpoints
{
    /// <summary>Maps the web console (<c>/</c>, <c>/apps/{name}</c>), the HTTP API under <c>/api</c>, the push webhook and <c>/metrics</c>.</summary>
    /// <param name="app">The route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapGitOpsEndpoints(this IEndpointRouteBuilder app)
    {
        // The HTTP API (GitOps.Sdk.AspNetCore) under /api; the console's buttons call it. A real host adds its
        // authorization here: app.MapGitOps(ConsolePages.Api).RequireAuthorization("operators").
        app.MapGitOps(ConsolePages.Api);

        app.MapGet("/", (IGitOpsController gitops) =>
            Html(ConsolePages.RenderList([.. gitops.GetAll().Select(ApplicationSummary.From)])));

        app.MapGet("/apps/{name}", async (IGitOpsController gitops, GitOpsLiveDiff liveDiff, string name, CancellationToken cancellationToken) =>
        {
            if (gitops.GetStatus(name) is not { } status)
            {
                return Results.NotFound(new ActionResult(name, null, false, $"no application named '{name}'"));
            }

            ApplicationDiff? diff;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                try
                {
                    diff = await liveDiff.ComputeAsync(name, timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    diff = ApplicationDiff.Failed(name, null, "the live diff took longer than 20 s");
                }
            }

            return Html(ConsolePages.RenderApplication(ApplicationDetail.From(status), diff));
        });

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

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Push webhook from {Remote} refused: bad signature")]
        public static partial void BadSignature(ILogger logger, string? remote);

        [LoggerMessage(2, LogLevel.Information, "Push webhook for {Repository}: {Count} application(s) will reconcile")]
        public static partial void PushReceived(ILogger logger, string repository, int count);
    }
}
