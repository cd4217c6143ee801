using GitOps.Samples.Quickstart;
using GitOps.Sdk;
using GitOps.Sdk.AspNetCore;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitOps.Samples.WebHost;

/// <summary>
/// Builds the web host: the engine from configuration (<c>GitOps</c> section), a Git source, the Kubernetes target,
/// and the endpoints:
/// <list type="bullet">
/// <item><c>GET /</c>, <c>GET /apps/{name}</c> — the web console (<see cref="ConsolePages"/>).</item>
/// <item><c>/api/applications…</c> — the HTTP API of GitOps.Sdk.AspNetCore (<c>MapGitOps</c>).</item>
/// <item><c>POST /hooks/git</c> — push webhook, signed with <c>X-Hub-Signature-256</c> (secret <c>Webhooks:Secret</c>).</item>
/// <item><c>GET /metrics</c> — the <c>GitOps.Sdk</c> meter in Prometheus text format.</item>
/// <item><c>GET /healthz</c> — the GitOps health check (<see cref="HealthEndpoint"/>).</item>
/// </list>
/// <para>The cluster is <c>GitOps:Target:Kubeconfig</c> (or <c>Kubernetes:Kubeconfig</c>) when set. Otherwise, unless <c>Kubernetes:UseEmulator</c> is
/// <c>false</c>, the host starts the embedded Kubernetes API emulator and prints its kubeconfig path; the <c>demo</c>
/// application then reconciles a local Git repository made from <c>samples/demo-repo</c> unless it names a source.
/// <c>Approvals:Policy</c> (<c>None</c>, <c>Destructive</c>, <c>All</c>) holds plans for approval in the console.</para>
/// </summary>
public static class GitOpsWebHost
{
    /// <summary>Builds the application (not started).</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--urls</c>).</param>
    /// <param name="configure">Further configuration, e.g. from tests.</param>
    /// <returns>The application; dispose it to stop the engine and the emulator, if one was started.</returns>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // GitOps:Target:Kubeconfig is the engine's own key (docs/configuration.md); Kubernetes:Kubeconfig is this sample's older one.
        var kubeconfig = builder.Configuration["GitOps:Target:Kubeconfig"] is { Length: > 0 } target ? target : builder.Configuration["Kubernetes:Kubeconfig"];
        if (string.IsNullOrEmpty(kubeconfig) && builder.Configuration.GetValue("Kubernetes:UseEmulator", defaultValue: true))
        {
            // No cluster named: run against the embedded Kubernetes API emulator.
            var emulator = await KubeApiEmulator.StartAsync();
            kubeconfig = emulator.KubeconfigPath;
            DemoRepository? demo = null;
            if (builder.Configuration.GetSection("GitOps:Applications:demo").Exists()
                && string.IsNullOrEmpty(builder.Configuration["GitOps:Applications:demo:Source"]))
            {
                demo = await DemoRepository.CreateAsync(Path.Combine(AppContext.BaseDirectory, "demo-repo"), CancellationToken.None);
                builder.Configuration.AddInMemoryCollection([new("GitOps:Applications:demo:Source", demo.Directory)]);
            }

            builder.Services.AddSingleton(_ => new EmulatorLifetime(emulator, demo));
            await Console.Out.WriteLineAsync(
                $"Embedded Kubernetes API emulator at {emulator.BaseAddress} (no GitOps:Target:Kubeconfig given).\n" +
                $"  kubeconfig: {emulator.KubeconfigPath}\n" +
                $"  try: kubectl --kubeconfig {emulator.KubeconfigPath} get all -n demo" +
                (demo is null ? "" : $"\n  demo application source: {demo.Directory} (a Git repository made from samples/demo-repo)"));
        }

        var gitops = builder.Services
            .AddGitOps(builder.Configuration)
            .AddGitSource()
            .AddKubernetesTarget(k => k.KubeconfigPath = kubeconfig);
        switch (builder.Configuration["Approvals:Policy"])
        {
            case null or "" or "None":
                break;
            case "Destructive":
                gitops.AddApprovalPolicy(new HoldDestructiveStepsPolicy());
                break;
            case "All":
                gitops.AddApprovalPolicy(new HoldAllChangesPolicy());
                break;
            case var other:
                throw new InvalidOperationException($"Approvals:Policy '{other}' is not one of None, Destructive, All");
        }

        builder.Services.AddHealthChecks().AddGitOpsHealthChecks();
        builder.Services.AddSingleton<PrometheusMetrics>();
        builder.Services.AddSingleton<GitOpsLiveDiff>();
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection("Webhooks"));

        var app = builder.Build();
        try
        {
            // Reads and checks the whole GitOps configuration now: its problems surface here, as one
            // GitOpsConfigurationException, rather than from the host's start (which logs them with a stack trace).
            app.Services.GetRequiredService<IGitOpsController>();
        }
        catch (GitOpsConfigurationException)
        {
            await app.DisposeAsync();
            throw;
        }

        // Created now so they own what they hold from the start: measurements from the first reconcile, the emulator.
        app.Services.GetRequiredService<PrometheusMetrics>();
        app.Services.GetService<EmulatorLifetime>();
        app.MapGitOpsEndpoints();
        app.MapGitOpsHealth();
        return app;
    }
}
