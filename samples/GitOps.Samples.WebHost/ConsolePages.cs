using System.Globalization;
using System.Net;
using System.Text;
using GitOps.Sdk.AspNetCore;

namespace GitOps.Samples.WebHost;

/// <summary>
/// The web console: server-rendered HTML pages over the models of <c>GitOps.Sdk.AspNetCore</c>, with one small
/// script for the buttons, which call the HTTP API that <c>MapGitOps("/api")</c> maps. No JavaScript framework and
/// no build step. Every value from the cluster, the source or the engine is HTML-encoded.
/// </summary>
public static class ConsolePages
{
    /// <summary>The API prefix the buttons call.</summary>
    public const string Api = "/api";

    /// <summary>Renders the application list at <c>/</c>.</summary>
    /// <param name="applications">The applications.</param>
    /// <returns>The HTML document.</returns>
    public static string RenderList(IReadOnlyList<ApplicationSummary> applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        var html = new StringBuilder();
        Head(html, "GitOps status", refreshSeconds: 10);
        html.Append("<h1>GitOps status</h1>\n<table id=\"applications\">\n<thead><tr><th>Application</th><th>Sync</th><th>Health</th>")
            .Append("<th>Revision</th><th>Last reconcile</th><th>Last drift</th></tr></thead>\n<tbody>\n");
        foreach (var s in applications)
        {
            html.Append("<tr class=\"app\" data-app=\"").Append(E(s.Name)).Append("\">")
                .Append("<td class=\"name\"><a href=\"/apps/").Append(E(Uri.EscapeDataString(s.Name))).Append("\">").Append(E(s.Name)).Append("</a><br><small>")
                .Append(E(s.Source)).Append("</small></td>")
                .Append("<td>").Append(SyncBadge(s)).Append("</td>")
                .Append("<td>").Append(Badge("health", s.Health)).Append("</td>")
                .Append("<td class=\"revision\"><code>").Append(E(s.Revision ?? "—")).Append("</code>");
            if (s.LastError is not null)
            {
                html.Append("<br><small class=\"error\">").Append(E(s.LastError)).Append("</small>");
            }

            html.Append("</td><td class=\"last-reconcile\">").Append(Time(s.LastReconcileTime)).Append("</td>")
                .Append("<td class=\"drift\">").Append(s.LastDriftTime is null ? "none seen" : Time(s.LastDriftTime)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        return Tail(html);
    }

    /// <summary>Renders an application's page at <c>/apps/{name}</c>.</summary>
    /// <param name="app">The application.</param>
    /// <param name="diff">The live diff computed for this page, or <see langword="null"/> when it was not computed.</param>
    /// <returns>The HTML document.</returns>
    public static string RenderApplication(ApplicationDetail app, ApplicationDiff? diff)
    {
        ArgumentNullException.ThrowIfNull(app);
        var s = app.Summary;
        var api = $"{Api}/applications/{Uri.EscapeDataString(s.Name)}";
        var html = new StringBuilder();
        Head(html, $"{s.Name} · GitOps", refreshSeconds: null);
        html.Append("<p><a href=\"/\">← all applications</a></p>\n")
            .Append("<h1 id=\"app-name\">").Append(E(s.Name)).Append("</h1>\n")
            .Append("<p id=\"summary\">").Append(SyncBadge(s)).Append(' ').Append(Badge("health", s.Health))
            .Append(" revision <code id=\"revision\">").Append(E(s.Revision ?? "—")).Append("</code>")
            .Append(" · source <code>").Append(E(s.Source)).Append("</code>")
            .Append(" · last reconcile ").Append(Time(s.LastReconcileTime)).Append("</p>\n");
        if (s.LastError is not null)
        {
            html.Append("<p class=\"error\" id=\"last-error\">").Append(E(s.LastError)).Append("</p>\n");
        }

        html.Append("<p id=\"actions\">")
            .Append(Button("reconcile", "Sync", $"{api}/reconcile", "Reconcile now: fetch, diff and apply"))
            .Append(Button("refresh", "Refresh", null, "Fetch and diff again without applying"))
            .Append(s.Suspended
                ? Button("resume", "Resume", $"{api}/resume", "Resume scheduled reconciles")
                : Button("suspend", "Suspend", $"{api}/suspend", "Stop scheduled reconciles"))
            .Append("</p>\n<p id=\"message\" role=\"status\"></p>\n");

        HeldPlan(html, app.HeldPlan, api);
        Conditions(html, app);
        Objects(html, app.Objects);
        Diff(html, diff);
        Drift(html, app.LastDrift);
        History(html, app.History);
        return Tail(html);
    }

    private static void HeldPlan(StringBuilder html, HeldPlanModel? plan, string api)
    {
        if (plan is null)
        {
            return;
        }

        html.Append("<section id=\"held-plan\" data-plan=\"").Append(E(plan.Hash)).Append("\">\n<h2>Waiting for approval</h2>\n<p>")
            .Append(E(plan.WholePlan ? "The whole plan is held" : "These steps are held; the rest was applied"))
            .Append(plan.Reason is null ? "" : ": " + E(plan.Reason))
            .Append(". Revision <code>").Append(E(plan.Revision ?? "—")).Append("</code>, plan <code class=\"hash\">").Append(E(plan.Hash))
            .Append("</code>, held since ").Append(Time(plan.Since)).Append(".</p>\n<ul>\n");
        foreach (var step in plan.Steps)
        {
            html.Append("<li class=\"held-step\" data-key=\"").Append(E(step.Key)).Append("\"><span class=\"action\">").Append(E(step.Action))
                .Append("</span> <code>").Append(E(step.Key)).Append("</code>").Append(Changes(step.Changes)).Append("</li>\n");
        }

        html.Append("</ul>\n")
            .Append(Button("approve", "Approve", $"{api}/approve?plan={Uri.EscapeDataString(plan.Hash)}", "Apply exactly this plan"))
            .Append("\n</section>\n");
    }

    private static void Conditions(StringBuilder html, ApplicationDetail app)
    {
        html.Append("<section id=\"conditions\">\n<h2>Conditions</h2>\n<table>\n<thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr></thead>\n<tbody>\n");
        foreach (var c in app.Conditions)
        {
            html.Append("<tr class=\"condition\" data-type=\"").Append(E(c.Type)).Append("\"><td>").Append(E(c.Type)).Append("</td><td class=\"status\">")
                .Append(E(c.Status)).Append("</td><td class=\"reason\">").Append(E(c.Reason)).Append("</td><td>").Append(E(c.Message))
                .Append("</td><td>").Append(Time(c.LastTransitionTime)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        if (app.HealthMessage is not null)
        {
            html.Append("<p class=\"health-message\">").Append(E(app.HealthMessage)).Append("</p>\n");
        }

        html.Append("</section>\n");
    }

    private static void Objects(StringBuilder html, IReadOnlyList<ObjectModel> objects)
    {
        html.Append("<section id=\"objects\">\n<h2>Objects</h2>\n");
        if (objects.Count == 0)
        {
            html.Append("<p>No objects yet.</p>\n");
        }

        foreach (var kind in objects.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            html.Append("<section class=\"kind\" data-kind=\"").Append(E(kind.Key)).Append("\">\n<h3>").Append(E(kind.Key))
                .Append(" <small>(").Append(kind.Count()).Append(")</small></h3>\n<table>\n<thead><tr><th>Namespace</th><th>Name</th><th>Sync</th><th>Health</th><th>Message</th></tr></thead>\n<tbody>\n");
            foreach (var o in kind)
            {
                html.Append("<tr class=\"object\" data-key=\"").Append(E(o.Key)).Append("\"><td>").Append(E(o.Namespace.Length == 0 ? "—" : o.Namespace))
                    .Append("</td><td class=\"object-name\">").Append(E(o.Name)).Append("</td><td>").Append(Badge("sync", o.Sync))
                    .Append("</td><td>").Append(Badge("health", o.Health)).Append("</td><td>").Append(E(o.Message)).Append("</td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n</section>\n");
        }

        html.Append("</section>\n");
    }

    private static void Diff(StringBuilder html, ApplicationDiff? diff)
    {
        html.Append("<section id=\"diff\">\n<h2>Live diff</h2>\n");
        if (diff is null)
        {
            html.Append("<p>Not computed.</p>\n</section>\n");
            return;
        }

        if (diff.Error is not null)
        {
            html.Append("<p class=\"error\">").Append(E(diff.Error)).Append("</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"diff-summary\">Source at <code>").Append(E(diff.Revision ?? "—")).Append("</code> against the cluster now: ")
            .Append(diff.InSync ? "in sync" : $"{diff.Objects.Count} object(s) differ").Append(", ").Append(diff.Unchanged).Append(" unchanged.</p>\n");
        foreach (var o in diff.Objects)
        {
            html.Append("<div class=\"object-diff\" data-key=\"").Append(E(o.Key)).Append("\"><h3><span class=\"action\">").Append(E(o.Action))
                .Append("</span> <code>").Append(E(o.Key)).Append("</code></h3>\n<pre class=\"unified\">");
            foreach (var line in o.Unified.Split('\n'))
            {
                var cls = line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) ? "file"
                    : line.StartsWith('+') ? "add"
                    : line.StartsWith('-') ? "del"
                    : line.StartsWith("@@", StringComparison.Ordinal) ? "hunk"
                    : "ctx";
                html.Append("<span class=\"").Append(cls).Append("\">").Append(E(line)).Append("</span>\n");
            }

            html.Append("</pre></div>\n");
        }

        html.Append("</section>\n");
    }

    private static void Drift(StringBuilder html, DriftModel? drift)
    {
        html.Append("<section id=\"last-drift\">\n<h2>Last drift</h2>\n");
        if (drift is null)
        {
            html.Append("<p>None seen.</p>\n</section>\n");
            return;
        }

        html.Append("<p>").Append(Time(drift.DetectedAt)).Append(drift.Corrected ? " — corrected" : " — not corrected").Append("</p>\n<ul>\n");
        foreach (var o in drift.Objects)
        {
            html.Append("<li class=\"drifted\" data-key=\"").Append(E(o.Key)).Append("\"><code>").Append(E(o.Key)).Append("</code>: ")
                .Append(o.Action == "Create" ? "deleted outside the source" : E(o.Action)).Append(Changes(o.Changes)).Append("</li>\n");
        }

        html.Append("</ul>\n</section>\n");
    }

    private static void History(StringBuilder html, IReadOnlyList<HistoryModel> history)
    {
        html.Append("<section id=\"history\">\n<h2>History</h2>\n<table>\n<thead><tr><th>Started</th><th>Trigger</th><th>Outcome</th><th>Revision</th><th>Duration</th><th>Message</th></tr></thead>\n<tbody>\n");
        foreach (var r in history)
        {
            html.Append("<tr class=\"run\"><td>").Append(Time(r.StartedAt)).Append("</td><td class=\"trigger\">").Append(E(r.Trigger))
                .Append("</td><td class=\"outcome\">").Append(Badge("outcome", r.Outcome)).Append("</td><td><code>").Append(E(r.Revision ?? "—"))
                .Append("</code></td><td>").Append(r.DurationMs.ToString("0.#", CultureInfo.InvariantCulture)).Append(" ms</td><td>")
                .Append(E(r.Message)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    // The SDK's one drift notation everywhere: "spec.replicas: live 5 → desired 2 (live value by kubectl-scale)".
    private static string Changes(IReadOnlyList<FieldChangeModel> changes) =>
        changes.Count == 0 ? "" : "<ul class=\"changes\">" + string.Concat(changes.Select(c =>
            $"<li class=\"change\" data-path=\"{E(c.Path)}\"><code>{E(c.Text ?? c.Path)}</code></li>")) + "</ul>";

    private static string SyncBadge(ApplicationSummary s) => s.Suspended ? Badge("sync", "Suspended") : Badge("sync", s.Sync);

    private static string Badge(string kind, string value) => $"<span class=\"badge {kind} {E(value)}\">{E(value)}</span>";

    private static string Button(string action, string label, string? url, string title) =>
        $"<button type=\"button\" data-action=\"{action}\"{(url is null ? "" : $" data-url=\"{E(url)}\"")} title=\"{E(title)}\">{E(label)}</button> ";

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? $"<time datetime=\"{t.ToString("O", CultureInfo.InvariantCulture)}\">{E(t.ToString("u", CultureInfo.InvariantCulture))}</time>" : "—";

    private static string E(string? value) => WebUtility.HtmlEncode(value ?? string.Empty);

    private static void Head(StringBuilder html, string title, int? refreshSeconds)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        if (refreshSeconds is { } r)
        {
            html.Append("<meta http-equiv=\"refresh\" content=\"").Append(r).Append("\">\n");
        }

        html.Append("<title>").Append(E(title)).Append("</title>\n").Append("""
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 80rem; }
            table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
            th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
            .badge { display: inline-block; padding: .1rem .5rem; border-radius: .6rem; font-size: .85rem; color: #fff; background: #777; }
            .Synced, .Healthy, .Applied, .True { background: #2e7d32; }
            .OutOfSync, .Progressing, .Suspended, .Held, .Missing, .Refused { background: #ef6c00; }
            .Failed, .Degraded, .Cancelled { background: #c62828; }
            .error { color: #c62828; }
            pre.unified { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .85rem; }
            pre.unified .add { color: #116329; background: #dafbe1; } pre.unified .del { color: #82071e; background: #ffebe9; }
            pre.unified .hunk { color: #8250df; } pre.unified .file { font-weight: bold; }
            #held-plan { border: 2px solid #ef6c00; padding: .6rem 1rem; border-radius: .4rem; }
            button { font-size: 1rem; padding: .3rem .9rem; margin-right: .4rem; }
            #message.ok { color: #2e7d32; } #message.error { color: #c62828; }
            code { font-size: .85rem; }
            </style>
            </head>
            <body>

            """);
    }

    private static string Tail(StringBuilder html) => html.Append("""
        <script>
        for (const button of document.querySelectorAll('button[data-action]')) {
          button.addEventListener('click', async () => {
            const message = document.getElementById('message');
            if (!button.dataset.url) { location.reload(); return; }
            button.disabled = true;
            const response = await fetch(button.dataset.url, { method: 'POST' });
            const body = await response.json().catch(() => ({}));
            message.className = response.ok ? 'ok' : 'error';
            message.textContent = response.ok ? button.textContent + ': done' : (body.error || response.statusText);
            button.disabled = false;
            if (response.ok) { setTimeout(() => location.reload(), 1500); }
          });
        }
        </script>
        </body>
        </html>

        """).ToString();
}
