using GitOps.Sdk.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.AspNetCore;

/// <summary>Maps the GitOps.Sdk HTTP API onto an ASP.NET Core host.</summary>
/// <remarks>
/// <para>Endpoints, relative to the prefix (default <c>/gitops</c>):</para>
/// <list type="table">
/// <item><term><c>GET applications</c></term><description>every application (<see cref="ApplicationSummary"/>).</description></item>
/// <item><term><c>GET applications/{name}</c></term><description>one application (<see cref="ApplicationDetail"/>), 404 when unknown.</description></item>
/// <item><term><c>GET applications/{name}/diff</c></term><description>the source rendered now against the live objects (<see cref="ApplicationDiff"/>).</description></item>
/// <item><term><c>POST applications/{name}/reconcile</c></term><description>202, or 409 while suspended.</description></item>
/// <item><term><c>POST applications/{name}/suspend</c>, <c>…/resume</c></term><description>200 with the summary.</description></item>
/// <item><term><c>POST applications/{name}/approve?plan={hash}</c></term><description>200 when the held plan has that hash, otherwise 409 naming the held hash.</description></item>
/// </list>
/// <para>Nothing is authorized here: the returned group takes the host's policy, e.g.
/// <c>app.MapGitOps().RequireAuthorization("operators")</c>. Responses carry states as words, never as numbers, and
/// never a Secret value or a credential.</para>
/// </remarks>
public static class GitOpsEndpointRouteBuilderExtensions
{
    /// <summary>The default route prefix.</summary>
    public const string DefaultPrefix = "/gitops";

    /// <summary>Maps the GitOps API under <paramref name="prefix"/>.</summary>
    /// <param name="endpoints">The route builder (a <c>WebApplication</c>).</param>
    /// <param name="prefix">The route prefix, such as <c>/gitops</c> or <c>/api</c>.</param>
    /// <returns>The route group, for the host's authorization, rate limiting or OpenAPI conventions.</returns>
    public static RouteGroupBuilder MapGitOps(this IEndpointRouteBuilder endpoints, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var group = endpoints.MapGroup(prefix);

        group.MapGet("/applications", (IGitOpsController gitops) => gitops.GetAll().Select(ApplicationSummary.From))
            .WithName("GitOps.ListApplications");

        group.MapGet("/applications/{name}", (IGitOpsController gitops, string name) =>
            gitops.GetStatus(name) is { } status ? Results.Ok(ApplicationDetail.From(status)) : NotFound(name))
            .WithName("GitOps.GetApplication");

        group.MapGet("/applications/{name}/diff", async (HttpContext context, string name) =>
        {
            var diff = ActivatorUtilities.GetServiceOrCreateInstance<GitOpsLiveDiff>(context.RequestServices);
            return await diff.ComputeAsync(name, context.RequestAborted).ConfigureAwait(false) is { } result ? Results.Ok(result) : NotFound(name);
        }).WithName("GitOps.DiffApplication");

        group.MapPost("/applications/{name}/reconcile", (IGitOpsController gitops, string name) =>
            gitops.GetStatus(name) is not { } status ? NotFound(name)
            : gitops.RequestReconcile(name) ? Results.Accepted(value: new ActionResult(name, "reconcile", true, null))
            : Results.Conflict(new ActionResult(name, "reconcile", false, $"application '{status.Name}' is suspended: resume it first")))
            .WithName("GitOps.ReconcileApplication");

        group.MapPost("/applications/{name}/suspend", (IGitOpsController gitops, string name) =>
            gitops.Suspend(name) ? Summary(gitops, name) : NotFound(name))
            .WithName("GitOps.SuspendApplication");

        group.MapPost("/applications/{name}/resume", (IGitOpsController gitops, string name) =>
            gitops.Resume(name) ? Summary(gitops, name) : NotFound(name))
            .WithName("GitOps.ResumeApplication");

        group.MapPost("/applications/{name}/approve", (IGitOpsController gitops, string name, string? plan) =>
        {
            if (gitops.GetStatus(name) is not { } status)
            {
                return NotFound(name);
            }

            if (string.IsNullOrEmpty(plan))
            {
                return Results.BadRequest(new ActionResult(name, "approve", false, "name the plan to approve: ?plan={hash}"));
            }

            if (gitops.Approve(name, plan))
            {
                return Results.Ok(new ActionResult(name, "approve", true, null));
            }

            var held = status.HeldPlan is { } h ? $"the held plan is {h.Hash}" : "no plan is held";
            return Results.Conflict(new ActionResult(name, "approve", false, $"application '{name}' holds no plan {plan}: {held}"));
        }).WithName("GitOps.ApproveApplication");

        return group;
    }

    private static IResult Summary(IGitOpsController gitops, string name) =>
        gitops.GetStatus(name) is { } status ? Results.Ok(ApplicationSummary.From(status)) : NotFound(name);

    private static IResult NotFound(string name) =>
        Results.NotFound(new ActionResult(name, null, false, $"no application named '{name}'"));
}

/// <summary>The answer to an action (reconcile, suspend, resume, approve), or why it could not be done.</summary>
/// <param name="Application">The application.</param>
/// <param name="Action">The action, or <see langword="null"/> when the application is unknown.</param>
/// <param name="Accepted">Whether the action was taken.</param>
/// <param name="Error">Why not.</param>
public sealed record ActionResult(string Application, string? Action, bool Accepted, string? Error);
