using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using GitOps.Cli.Hosting;
using GitOps.Sdk;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops reconcile --source &lt;git url|oci://…|helm repo url&gt; --ref &lt;ref&gt; --path &lt;p&gt; [--chart &lt;name&gt;]
/// [--name &lt;app&gt;] [--kubeconfig &lt;file&gt;] [--context &lt;name&gt;] [--namespace ns] [--create-namespace] [--once] [--dry-run] [--prune]
/// [--allow-namespace ns]… [--allow-cluster-kind Kind.group]… [--deny-kind Kind.group]… [--allow-cluster-admin-binding]</c>: reconciles one
/// application into a cluster. Without <c>--once</c> it keeps running, correcting drift and printing every event (with
/// attribution); <c>--dry-run</c> prints the plan and diff and changes nothing. Exit codes: 0 in sync or applied (also when
/// continuous mode is stopped by SIGTERM or SIGINT after a clean reconcile), 1 drift found in dry-run, 2 error, 3 objects
/// refused by a safety rule (owned by another application, unmarked without <c>--adopt</c>, or a prune blocked by a
/// deletion guard), 130 or 143 when <c>--once</c> was interrupted by SIGINT or SIGTERM before it finished. The inventory lives in the cluster, so separate <c>--once</c> runs prune what an earlier
/// run applied; the application name defaults to a stable hash of source and path.
/// </summary>
internal sealed class ReconcileCommand : ICliCommand
{
    internal const int InSync = 0;
    internal const int Drift = 1;
    internal const int Error = 2;
    internal const int Refused = 3;

    /// <summary>How long the host may take to stop after a signal (the process exits within <see cref="ShutdownSignals.GracePeriod"/> regardless).</summary>
    internal static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(6);

    public Command Create()
    {
        var source = new Option<string>("--source") { Description = "A Git URL, oci://registry/repository, or a Helm repository URL (with --chart).", Required = true };
        var reference = new Option<string?>("--ref") { Description = "Branch, tag, commit, semver range or chart version." };
        var path = new Option<string?>("--path") { Description = "The path inside the source that holds the desired state." };
        var chart = new Option<string?>("--chart") { Description = "The chart name, for a Helm chart repository." };
        var name = new Option<string?>("--name") { Description = "The application name; defaults to a stable value derived from source and path." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The kubeconfig file; defaults to $KUBECONFIG (a ':'-separated list, merged as kubectl does), then ~/.kube/config, then the pod's service account." };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context; defaults to the current context." };
        var @namespace = new Option<string?>("--namespace", "-n") { Description = "The namespace for namespaced objects that declare none." };
        var createNamespace = new Option<bool>("--create-namespace") { Description = "Create the --namespace namespace first (owned by the application like its other objects) when the source does not declare it." };
        var once = new Option<bool>("--once") { Description = "Reconcile once and exit (otherwise keep running and correct drift)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and diff; change nothing. Exit code 1 when anything differs." };
        var prune = new Option<bool>("--prune") { Description = "Delete objects an earlier run applied that are no longer in the source." };
        var adopt = new Option<bool>("--adopt") { Description = "Adopt live objects that carry no ownership label (AllowAdoption); without it they are refused (exit code 3)." };
        var takeover = new Option<bool>("--takeover") { Description = "Take over objects whose ownership label names another application (AllowTakeover); without it they are refused (exit code 3)." };
        var confinement = new ConfinementFlags();

        var command = new Command("reconcile", "Reconcile a Git, OCI or Helm source into a cluster; exit code 0 = in sync or applied (or continuous mode stopped by SIGTERM/SIGINT), 1 = drift found (dry-run), 2 = error, 3 = objects refused (ownership or prune guard), 130/143 = --once interrupted by SIGINT/SIGTERM.")
        {
            source, reference, path, chart, name, kubeconfig, context, @namespace, createNamespace, once, dryRun, prune, adopt, takeover,
        };
        confinement.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var request = new Request(
                parseResult.GetValue(source)!,
                parseResult.GetValue(reference),
                parseResult.GetValue(path),
                parseResult.GetValue(chart),
                parseResult.GetValue(name),
                parseResult.GetValue(kubeconfig),
                parseResult.GetValue(@namespace),
                parseResult.GetValue(once),
                parseResult.GetValue(dryRun),
                parseResult.GetValue(prune))
            {
                Adopt = parseResult.GetValue(adopt),
                Takeover = parseResult.GetValue(takeover),
                Context = parseResult.GetValue(context),
                CreateNamespace = parseResult.GetValue(createNamespace),
                Confinement = confinement.Read(parseResult),
            };
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                return await RunAsync(request, stdout, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await stderr.WriteLineAsync("gitops reconcile: interrupted before it finished").ConfigureAwait(false);
                return ShutdownSignals.ExitCode;
            }
            catch (GitOpsConfigurationException ex)
            {
                // One block: the heading, then a line per problem.
                await stderr.WriteLineAsync($"gitops reconcile: {CliText.Lines(ex.Message)}").ConfigureAwait(false);
                return Error;
            }
#pragma warning disable CA1031 // Every failure becomes exit code 2 with a message; a stack trace helps no CLI user.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await stderr.WriteLineAsync($"gitops reconcile: {CliText.Line(ex.Message)}").ConfigureAwait(false);
                return Error;
            }
        });
        return command;
    }

    internal sealed record Request(
        string Source,
        string? Ref,
        string? Path,
        string? Chart,
        string? Name,
        string? Kubeconfig,
        string? Namespace,
        bool Once,
        bool DryRun,
        bool Prune)
    {
        /// <summary>Gets a value indicating whether unmarked live objects are adopted (<c>--adopt</c>).</summary>
        public bool Adopt { get; init; }

        /// <summary>Gets a value indicating whether objects of other applications are taken over (<c>--takeover</c>).</summary>
        public bool Takeover { get; init; }

        /// <summary>Gets the kubeconfig context, or <see langword="null"/> for the current one.</summary>
        public string? Context { get; init; }

        /// <summary>Gets a value indicating whether the target namespace is created first.</summary>
        public bool CreateNamespace { get; init; }

        /// <summary>Gets the confinement flags (allowed namespaces and cluster-scoped kinds, denied kinds).</summary>
        public ConfinementFlags.Values Confinement { get; init; } = ConfinementFlags.Values.None;
    }

    /// <summary>The default application name: <c>gitops-</c> and ten hex digits of SHA-256 over source (credentials removed), chart and path.</summary>
    internal static string DefaultName(string source, string? chart, string? path)
    {
        var url = source.Trim();
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var slash = scheme < 0 ? -1 : url.IndexOf('/', scheme + 3);
        if (scheme >= 0 && at > scheme && (slash < 0 || at < slash))
        {
            url = string.Concat(url.AsSpan(0, scheme + 3), url.AsSpan(at + 1));
        }

        var text = $"{url.TrimEnd('/')}\n{chart}\n{path?.Trim('/')}";
        return "gitops-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..10];
    }

    internal static SourceReference ToSource(Request r) => new()
    {
        Url = r.Source,
        Ref = r.Ref,
        Chart = r.Chart,
        Type = r.Source.StartsWith("oci://", StringComparison.OrdinalIgnoreCase) ? SourceTypes.Oci
            : r.Chart is not null ? SourceTypes.HelmRepository
            : SourceTypes.Git,
    };

    internal static async Task<int> RunAsync(Request r, TextWriter stdout, CancellationToken cancellationToken)
    {
        var appName = r.Name ?? DefaultName(r.Source, r.Chart, r.Path);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGitOps(o =>
            {
                var definition = new ApplicationDefinition
                {
                    Name = appName,
                    Source = ToSource(r),
                    Path = string.IsNullOrEmpty(r.Path) ? null : r.Path,
                    Namespace = r.Namespace,
                    CreateNamespace = r.CreateNamespace,
                    Prune = r.Prune,
                    AllowAdoption = r.Adopt,
                    AllowTakeover = r.Takeover,
                    Mode = r.DryRun ? ReconcileMode.DetectOnly : ReconcileMode.Correct,
                    Interval = TimeSpan.FromMinutes(5),
                    MinRetryDelay = TimeSpan.FromSeconds(5),
                    MaxRetryDelay = TimeSpan.FromMinutes(2),
                };
                o.Applications.Add(r.Confinement.ApplyTo(definition));
            })
            .AddGitSource()
            .AddHelmRepositorySource()
            .AddOciSource()
            .AddHelmRenderer()
            .AddKustomizeRenderer()
            .AddKubernetesTarget(o =>
            {
                o.KubeconfigPath = r.Kubeconfig;
                o.Context = r.Context;
            });
        using var host = builder.Build();
        var controller = host.Services.GetRequiredService<IGitOpsController>();
        var diffEngine = host.Services.GetRequiredService<IDiffEngine>();
        var gate = new Lock();
        using var subscription = controller.Events.Subscribe(e =>
        {
            lock (gate)
            {
                Print(e, stdout);
            }
        });

        if (r.Once || r.DryRun)
        {
            var result = await controller.ReconcileAsync(appName, cancellationToken).ConfigureAwait(false);
            if (r.DryRun)
            {
                PrintPlan(result, diffEngine, stdout);
            }

            foreach (var v in result.Violations)
            {
                await stdout.WriteLineAsync($"refused {CliText.Line(v.ToString())}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(CliText.Line($"{appName}: {result.Outcome}{(result.Error is null ? string.Empty : $": {result.Error}")}")).ConfigureAwait(false);
            return result.Outcome switch
            {
                ReconcileOutcome.Cancelled => ShutdownSignals.ExitCode,
                ReconcileOutcome.Failed => Error,
                ReconcileOutcome.Refused => Refused,
                ReconcileOutcome.OutOfSync or ReconcileOutcome.Held => Drift,
                _ => InSync,
            };
        }

        await stdout.WriteLineAsync(CliText.Line($"{appName}: watching {SafeUrl.Redact(r.Source)}; press Ctrl+C (or send SIGTERM) to stop")).ConfigureAwait(false);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);

        // Stop on the command's cancellation (SIGTERM/SIGINT through Program) and on the host's own stop request.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // The running reconcile is cancelled between steps; an inventory write in progress completes.
        using var stopTimeout = new CancellationTokenSource(StopTimeout);
        await host.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        var status = controller.GetStatus(appName);
        await stdout.WriteLineAsync($"{appName}: stopped{(status?.LastError is { } error ? $" (last reconcile failed: {error})" : string.Empty)}").ConfigureAwait(false);
        return status?.LastErrorStage is null ? InSync : Error;
    }

    private static void PrintPlan(ReconcileResult result, IDiffEngine diffEngine, TextWriter stdout)
    {
        if (result.Plan is not { } plan)
        {
            return;
        }

        foreach (var step in plan.Steps)
        {
            var (mark, verb) = step.Action switch
            {
                PlanAction.Apply when step.Live is null => ("+", "create"),
                PlanAction.Apply => ("~", "update"),
                PlanAction.Delete => ("-", "prune"),
                PlanAction.Recreate => ("!", "recreate"),
                PlanAction.Skip => (" ", "skip"),
                _ => ((string?)null, (string?)null),
            };
            if (mark is null)
            {
                continue;
            }

            stdout.WriteLine(CliText.Line($"{mark} {verb} {step.Key}{(step.Reason is null ? string.Empty : $" ({step.Reason})")}"));
            if (step.Diff is { HasDrift: true } diff && step.Action != PlanAction.Skip)
            {
                var text = diffEngine.FormatUnified(diff);
                if (text.Length > 0)
                {
                    stdout.WriteLine(CliText.Lines(text.TrimEnd()));
                }
            }
        }
    }

    internal static void Print(ReconcileEvent e, TextWriter stdout)
    {
        var at = e.Timestamp.UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        switch (e)
        {
            case SourceFetched f:
                stdout.WriteLine(CliText.Line($"{at} {e.Application}: fetched {f.Source} at {f.Revision} ({f.Digest})"));
                break;
            case Rendered rendered:
                stdout.WriteLine(CliText.Line($"{at} {e.Application}: rendered {rendered.ObjectCount} object(s) with {rendered.Renderer ?? "?"}"));
                break;
            case DriftDetected drift:
                foreach (var o in drift.Objects)
                {
                    stdout.WriteLine(CliText.Line($"{at} {e.Application}: drift {o}"));
                }

                break;
            case Applied applied:
                foreach (var o in applied.Objects)
                {
                    stdout.WriteLine(CliText.Line($"{at} {e.Application}: {o.Outcome.ToString().ToLowerInvariant()} {o.Key}{(o.Message is null ? string.Empty : $": {o.Message}")}"));
                }

                break;
            case Pruned pruned:
                foreach (var key in pruned.Objects)
                {
                    stdout.WriteLine(CliText.Line($"{at} {e.Application}: pruned {key}"));
                }

                break;
            case HealthChanged health:
                stdout.WriteLine(CliText.Line($"{at} {e.Application}: health {health.Current.Status}{(health.Current.Message is null ? string.Empty : $": {health.Current.Message}")}"));
                break;
            case PlanHeld held:
                stdout.WriteLine(CliText.Line($"{at} {e.Application}: {held.Plan.Steps.Length} step(s) held for approval (hash {held.Plan.Hash})"));
                break;
            case ReconcileFailed failed:
                stdout.WriteLine(CliText.Line($"{at} {e.Application}: failed at {failed.Stage}: {failed.Message}"));
                break;
            case ObjectsRefused refused:
                foreach (var o in refused.Objects)
                {
                    stdout.WriteLine($"{at} {e.Application}: refused {o.Key}: {o.Reason}");
                }

                break;
            case ReconcileCompleted completed:
                stdout.WriteLine(CliText.Line($"{at} {e.Application}: {completed.Outcome} at {completed.Revision} ({completed.Trigger}, {completed.Duration.TotalMilliseconds:F0} ms)"));
                break;
        }
    }
}
