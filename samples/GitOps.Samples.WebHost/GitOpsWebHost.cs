using GitOps.Sdk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitOps.Samples.WebHost;

/// <summary>
/// Builds the web host: the engine from configuration (<c>GitOps</c> section), a Git source, the Kubernetes target
/// (<c>Kubernetes:Kubeconfig</c>, or the embedded emulator when <c>Kubernetes:UseEmulator</c> is on — the default in
/// Development), and the endpoints:
/// <list type="bullet">
/// <item><c>GET /</c> — status page (server-rendered HTML).</item>
/// <item><c>GET /apps</c>, <c>GET /apps/{name}</c>, <c>GET /apps/{name}/diff</c>, <c>POST /apps/{name}/reconcile</c>.</item>
/// <item><c>POST /hooks/git</c> — push webhook, signed with <c>X-Hub-Signature-256</c> (secret <c>Webhooks:Secret</c>).</item>
/// <item><c>GET /metrics</c> — the <c>GitOps.Sdk</c> meter in Prometheus text format.</item>
/// <item><c>GET /healthz</c> — the GitOps health check (<see cref="HealthEndpoint"/>).</item>
/// </list>
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

        var kubeconfig = builder.Configuration["Kubernetes:Kubeconfig"];
        if (string.IsNullOrEmpty(kubeconfig) && builder.Configuration.GetValue<bool>("Kubernetes:UseEmulator"))
        {
            // No cluster named: run against the embedded Kubernetes API emulator (development only).
            var emulator = await KubeApiEmulator.StartAsync();
            kubeconfig = emulator.KubeconfigPath;
            builder.Services.AddSingleton(_ => new EmulatorLifetime(emulator));
        }

        builder.Services
            .AddGitOps(builder.Configuration)
            .AddGitSource()
            .AddKubernetesTarget(k => k.KubeconfigPath = kubeconfig);
        builder.Services.AddHealthChecks().AddGitOpsHealthChecks();
        builder.Services.AddSingleton<PrometheusMetrics>();
        builder.Services.AddSingleton<LiveDiff>();
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection("Webhooks"));

        var app = builder.Build();

        // Created now so they own what they hold from the start: measurements from the first reconcile, the emulator.
        app.Services.GetRequiredService<PrometheusMetrics>();
        app.Services.GetService<EmulatorLifetime>();
        app.MapGitOpsEndpoints();
        app.MapGitOpsHealth();
        return app;
    }
}
