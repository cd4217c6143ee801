using System.CommandLine;
using System.Text.Json;
using GitOps.Sdk;
using GitOps.Sdk.Health;
using GitOps.Sdk.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops status [--application name] [--kubeconfig file] [--context name] [--output text|json] [--no-color]</c>: lists
/// the applications whose inventory the cluster holds, each with the revision it last applied and every object it
/// manages: whether the object exists, whether it still carries the application's ownership label, and its health.
/// Exit code 0 = every object present, owned and healthy or progressing, 1 = an object missing, taken or degraded,
/// 2 = error. The live objects are read, never written; to compare them with a source use <c>gitops diff</c>.
/// </summary>
internal sealed class StatusCommand : ICliCommand
{
    internal const int Ok = 0;
    internal const int Attention = 1;
    internal const int Error = 2;

    public Command Create()
    {
        var application = new Option<string?>("--application", "-a") { Description = "Only this application (default: every application with an inventory in the cluster)." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The kubeconfig file; defaults as for kubectl ($KUBECONFIG, ~/.kube/config, in-cluster)." };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context; defaults to the current context." };
        var output = new Option<string>("--output", "-o") { Description = "The output format: text or json.", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var noColor = new Option<bool>("--no-color") { Description = "Never colour the output." };
        var command = new Command("status", "List the applications in the cluster's inventories with their objects' presence, ownership and health; exit code 0 = all well, 1 = attention needed, 2 = error.")
        {
            application, kubeconfig, context, output, noColor,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var report = await ReadAsync(parseResult.GetValue(application), parseResult.GetValue(kubeconfig), parseResult.GetValue(context), cancellationToken).ConfigureAwait(false);
                if (parseResult.GetValue(output) == "json")
                {
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(report, JsonOptions)).ConfigureAwait(false);
                }
                else
                {
                    WriteText(stdout, report, !parseResult.GetValue(noColor) && CliColor.Enabled(stdout));
                }

                return report.All(a => a.Objects.All(o => o.Fine)) ? Ok : Attention;
            }
            catch (DiffCommand.InputException ex)
            {
                await stderr.WriteLineAsync("gitops status: " + CliText.Line(ex.Message)).ConfigureAwait(false);
                return Error;
            }
#pragma warning disable CA1031 // A cluster that cannot be read is exit code 2 with a message; a stack trace helps no CLI user.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await stderr.WriteLineAsync("gitops status: cannot read the cluster: " + CliText.Line(SafeUrl.Redact(ex.Message))).ConfigureAwait(false);
                return Error;
            }
        });
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    internal sealed record ApplicationReport(string Application, string? Revision, IReadOnlyList<ObjectReport> Objects);

    internal sealed record ObjectReport(string Key, string State, string Health, string? Message)
    {
        [System.Text.Json.Serialization.JsonIgnore]
        public bool Fine => State == "Present" && Health is "Healthy" or "Progressing" or "Suspended" or "Unknown";
    }

    internal static async Task<List<ApplicationReport>> ReadAsync(string? only, string? kubeconfig, string? context, CancellationToken cancellationToken)
    {
        await using var services = ClusterLive.Build(kubeconfig, context);
        var store = (KubernetesInventoryStore)services.GetRequiredService<IInventoryStore>();
        var liveState = services.GetRequiredService<ILiveState>();
        var health = new ObjectHealth(services.GetServices<IHealthAssessor>());
        var names = only is null ? await store.ListApplicationsAsync(cancellationToken).ConfigureAwait(false) : [only];
        var reports = new List<ApplicationReport>();
        foreach (var name in names)
        {
            var inventory = await store.GetAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new DiffCommand.InputException($"the cluster holds no inventory of application '{name}'");
            var live = await liveState.GetManyAsync([.. inventory.Entries.Select(e => (e.Key, e.ApiVersion))], cancellationToken).ConfigureAwait(false);
            var objects = new List<ObjectReport>();
            foreach (var entry in inventory.Entries)
            {
                var obj = live.GetValueOrDefault(entry.Key);
                var state = obj is null ? "Missing"
                    : obj.GetLabel(WellKnown.ApplicationLabel) is { } owner && owner != name ? $"Owned by {owner}"
                    : "Present";
                var h = health.Assess(obj);
                objects.Add(new ObjectReport(entry.Key.ToString(), state, h.Status.ToString(), h.Message));
            }

            reports.Add(new ApplicationReport(name, inventory.Revision, objects));
        }

        return reports;
    }

    private static void WriteText(TextWriter stdout, List<ApplicationReport> reports, bool color)
    {
        if (reports.Count == 0)
        {
            stdout.WriteLine("No application inventories in this cluster.");
            return;
        }

        foreach (var app in reports)
        {
            var attention = app.Objects.Count(o => !o.Fine);
            var summary = attention == 0 ? CliColor.Paint("OK", CliColor.Green, color) : CliColor.Paint($"{attention} need attention", CliColor.Red, color);
            stdout.WriteLine(CliColor.Paint(CliText.Line($"{app.Application}"), CliColor.Bold, color) + CliText.Line($"  revision {app.Revision ?? "(none)"}, {app.Objects.Count} object(s): ") + summary);
            var width = app.Objects.Count == 0 ? 0 : app.Objects.Max(o => o.Key.Length);
            foreach (var o in app.Objects)
            {
                var state = o.State == "Present" ? o.State : CliColor.Paint(o.State, CliColor.Red, color);
                var healthText = o.Health is "Healthy" ? CliColor.Paint(o.Health, CliColor.Green, color) : o.Health is "Degraded" or "Missing" ? CliColor.Paint(o.Health, CliColor.Red, color) : o.Health;
                stdout.WriteLine($"  {CliText.Line(o.Key).PadRight(width)}  {state}  {healthText}{(o.Message is null || o.Health == "Healthy" ? string.Empty : "  " + CliText.Line(o.Message))}");
            }
        }
    }
}
