using System.Globalization;
using System.Net;
using System.Text;
using GitOps.Sdk;
using GitOps.Sdk.Status;

namespace GitOps.Samples.WebHost;

/// <summary>
/// The status page at <c>/</c>: one table row per application with sync and health badges and the last drift.
/// Server-rendered HTML, no script, no build step; every value from the cluster or Git is HTML-encoded.
/// </summary>
public static class StatusPage
{
    /// <summary>Renders the page.</summary>
    /// <param name="applications">The statuses.</param>
    /// <returns>The HTML document.</returns>
    public static string Render(IReadOnlyList<ApplicationStatus> applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="refresh" content="10">
            <title>GitOps status</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
            .badge { display: inline-block; padding: .1rem .5rem; border-radius: .6rem; font-size: .85rem; color: #fff; background: #777; }
            .Synced, .Healthy { background: #2e7d32; } .OutOfSync, .Progressing, .Suspended { background: #ef6c00; }
            .Failed, .Degraded, .Missing { background: #c62828; }
            code { font-size: .85rem; }
            </style>
            </head>
            <body>
            <h1>GitOps status</h1>
            <table id="applications">
            <thead><tr><th>Application</th><th>Sync</th><th>Health</th><th>Revision</th><th>Last drift</th></tr></thead>
            <tbody>

            """);
        foreach (var s in applications)
        {
            var sync = AppSummary.SyncOf(s);
            var health = (s.Health?.Status ?? HealthStatus.Unknown).ToString();
            html.Append("<tr class=\"app\" data-app=\"").Append(E(s.Name)).Append("\">")
                .Append("<td class=\"name\"><a href=\"/apps/").Append(E(Uri.EscapeDataString(s.Name))).Append("\">").Append(E(s.Name)).Append("</a><br><small>")
                .Append(E(s.Source ?? string.Empty)).Append("</small></td>")
                .Append("<td><span class=\"badge sync ").Append(E(sync)).Append("\">").Append(E(sync)).Append("</span></td>")
                .Append("<td><span class=\"badge health ").Append(E(health)).Append("\" title=\"").Append(E(s.Health?.Message ?? string.Empty)).Append("\">")
                .Append(E(health)).Append("</span></td>")
                .Append("<td><code>").Append(E(s.LastAppliedRevision ?? "—")).Append("</code>");
            if (s.LastError is not null)
            {
                html.Append("<br><small class=\"error\">").Append(E(s.LastError)).Append("</small>");
            }

            html.Append("</td><td class=\"drift\">").Append(Drift(s.LastDrift)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Drift(DriftReport? drift)
    {
        if (drift is null)
        {
            return "none seen";
        }

        var text = new StringBuilder();
        text.Append(E(drift.DetectedAt.ToString("u", CultureInfo.InvariantCulture)))
            .Append(drift.Corrected ? " (corrected)" : " (not corrected)")
            .Append("<ul>");
        foreach (var o in drift.Objects)
        {
            text.Append("<li>").Append(E(o.Key.ToString())).Append(": ");
            text.Append(o.Action == DiffAction.Create
                ? "deleted outside Git"
                : E(string.Join("; ", o.Changes.Select(c => $"{c.Path} {c.DesiredValue ?? "(absent)"}→{c.LiveValue ?? "(absent)"}{(c.Attribution is null ? string.Empty : " by " + c.Attribution.Manager)}"))));
            text.Append("</li>");
        }

        return text.Append("</ul>").ToString();
    }

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
