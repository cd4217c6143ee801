using System.Collections.Concurrent;
using System.Text.Json;
using System.Text;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Reconciliation;

/// <summary>
/// A Secret is created, changed by another actor and changed in Git while changes are held for approval: no event,
/// status, held plan or log line — serialized as JSON and as text — carries any of its values, plain or base64.
/// </summary>
public sealed partial class SecretLeakTests
{
    private const string Created = "created-hunter2-value";
    private const string Vandalised = "vandalised-hunter3-value";
    private const string Rotated = "rotated-hunter4-value";

    [Fact]
    public async Task SecretCreatedDriftedAndRotated_NoValueInEventsStatusHeldPlanOrLogs()
    {
        var logs = new CapturingLoggerProvider();
        await using var h = Create(
            builder: b => b.AddApprovalPolicy(new HoldAllChangesPolicy()),
            services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        var texts = new List<(string Where, string Text)>();

        h.Commit(("s.yaml", Secret(Created)));
        var held = await h.Controller.ReconcileAsync("shop", default);
        held.Outcome.Should().Be(ReconcileOutcome.Held);
        Capture(texts, "status while the creation is held", h.Controller.GetStatus("shop")!);
        Capture(texts, "held plan (creation)", h.Controller.GetStatus("shop")!.HeldPlan!);
        h.Controller.Approve("shop", h.Controller.GetStatus("shop")!.HeldPlan!.Hash).Should().BeTrue();
        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Cluster.Find(SecretKey).Should().NotBeNull();

        // Another actor overwrites the value: drift on a Secret value (a DriftDetected event), held for approval.
        h.Cluster.Update(SecretKey, n => n["data"]!["password"] = Base64(Vandalised), "kubectl-edit");
        var drifted = await h.Controller.ReconcileAsync("shop", default);

        drifted.Outcome.Should().Be(ReconcileOutcome.Held);
        drifted.Drift.Should().ContainSingle().Which.Changes.Should().Contain(c => c.Path == "/data/password", "the scenario must change a Secret value");
        h.EventsOf<Events.DriftDetected>().Should().ContainSingle("the scenario must publish a diff-carrying event");
        var status = h.Controller.GetStatus("shop")!;
        Capture(texts, "status after drift", status);
        Capture(texts, "held plan (drift)", status.HeldPlan!);
        Capture(texts, "last drift", status.LastDrift!);
        // ReconcileResult.Plan is the apply plan itself (it must carry the values it sends); the parts a caller shows are checked.
        Capture(texts, "result drift (drift)", drifted.Drift);
        Capture(texts, "result diffs (drift)", drifted.Diffs);
        Capture(texts, "result held (drift)", drifted.Held!);

        // Git rotates the value: a changed Secret in the diff and the held plan.
        h.Commit(("s.yaml", Secret(Rotated)));
        var rotated = await h.Controller.ReconcileAsync("shop", default);
        rotated.Outcome.Should().Be(ReconcileOutcome.Held);
        rotated.Diffs.Should().Contain(d => d.Changes.Any(c => c.Path == "/data/password"));
        Capture(texts, "status after rotation", h.Controller.GetStatus("shop")!);
        Capture(texts, "held plan (rotation)", h.Controller.GetStatus("shop")!.HeldPlan!);
        Capture(texts, "result diffs (rotation)", rotated.Diffs);
        Capture(texts, "result held (rotation)", rotated.Held!);
        foreach (var e in h.Events)
        {
            Capture(texts, "event " + e.GetType().Name, e);
        }

        texts.Add(("logs", string.Join('\n', logs.Lines)));
        logs.Lines.Should().NotBeEmpty("the reconciler logs through ILoggerFactory");

        foreach (var (where, text) in texts)
        {
            foreach (var value in new[] { Created, Vandalised, Rotated })
            {
                text.Should().NotContain(value, where).And.NotContain(Base64(value), where);
            }
        }
    }

    private static readonly ResourceKey SecretKey = new(string.Empty, "Secret", "shop", "creds");

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static string Secret(string value) =>
        $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: Opaque\ndata:\n  password: {Base64(value)}\n";

    private static void Capture(List<(string, string)> texts, string where, object value)
    {
        texts.Add((where + " (text)", value.ToString()!));
        var json = JsonSerializer.Serialize(value, value.GetType(), Json);

        // Byte members (e.g. KubeObject.Utf8Json) serialize as base64: search their decoded text too.
        var decoded = new StringBuilder(json);
        foreach (System.Text.RegularExpressions.Match m in Base64Token().Matches(json))
        {
            try
            {
                decoded.Append('\n').Append(Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value)));
            }
            catch (FormatException)
            {
            }
        }

        texts.Add((where + " (JSON)", decoded.ToString()));
    }

    [System.Text.RegularExpressions.GeneratedRegex("\"([A-Za-z0-9+/]{16,}={0,2})\"")]
    private static partial System.Text.RegularExpressions.Regex Base64Token();
}
