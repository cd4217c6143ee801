using System.Collections.Immutable;
using GitOps.Samples.CustomSource;
using GitOps.Sdk;
using GitOps.Sdk.AspNetCore;
using GitOps.Sdk.Events;
using GitOps.Sdk.Helm.Rendering;
using GitOps.Sdk.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitOps.Samples.Docs;

/// <summary>The code shown in README.md and docs/*.md, compiled.</summary>
internal static class Snippets
{
    public static void ReadmeEmbedding(IServiceCollection services)
    {
        #region readme-embedding
        services.AddGitOps(o => o.Applications.Add(new ApplicationDefinition
            {
                Name = "shop",
                Source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main", Path = "prod" },
                Namespace = "shop",
                Interval = TimeSpan.FromMinutes(1),
            }))
            .AddGitSource()
            .AddKustomizeRenderer()
            .AddKubernetesTarget();
        #endregion
    }

    public static void HealthCheck(IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        #region health-check
        services.AddGitOps(configuration).AddGitSource().AddKubernetesTarget();
        services.AddHealthChecks().AddGitOpsHealthChecks(o => o.OutOfSyncThreshold = TimeSpan.FromMinutes(10));
        #endregion
    }

    public static void HttpApi(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
        #region http-api
        var app = builder.Build();
        app.MapGitOps("/gitops").RequireAuthorization("operators");
        #endregion
    }

    public static void GitSource(IServiceCollection services, string secret)
    {
        #region git-source
        services.AddGitOps()
            .AddGitSource(o =>
            {
                o.CacheDirectory = "/var/cache/gitops/git";
                o.Credentials["deploy"] = new SourceCredentials { Username = "deploy", Password = secret };
                o.Ignore.Add("*.md");
            });

        var source = new SourceReference
        {
            Url = "https://git.example.com/shop/deploy.git",
            Ref = ">=1.2.0 <2.0.0",        // branch, tag, semver range over tags, or a 40-hex commit
            Path = "apps/web",
            CredentialsName = "deploy",
        };
        #endregion
        _ = source;
    }

    public static void Rendering(IServiceCollection services)
    {
        #region rendering
        services.AddGitOps()
            .AddKustomizeRenderer(o => o.EnableHelm = false)      // kustomize build, else kubectl kustomize
            .AddHelmRenderer(o => o.HelmPath = "/usr/local/bin/helm"); // Helm 3 or Helm 4
        #endregion
    }

    public static (RenderOptions Options, ApplicationDefinition App) HelmSettings(ApplicationDefinition shop)
    {
        #region helm-settings
        var options = new RenderOptions { ApplicationName = "shop", Namespace = "shop" }
            .WithHelm(h => h with { ValueFiles = ["values/prod.yaml"], Values = "replicaCount: 3" });
        var app = shop with { RendererOptions = shop.RendererOptions.WithHelm(h => h with { ReleaseName = "shop-web" }) };
        #endregion
        return (options, app);
    }

    public static async Task GettingStartedAsync(string[] args)
    {
        #region getting-started
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services
            .AddGitOps(builder.Configuration)                       // applications from GitOps:Applications:<name>
            .AddGitSource()
            .AddKubernetesTarget(k => k.KubeconfigPath = builder.Configuration["Kubeconfig"]); // null: in-cluster or ~/.kube/config

        using var host = builder.Build();
        var gitops = host.Services.GetRequiredService<IGitOpsController>();
        using var subscription = gitops.Events.Subscribe(e => Console.WriteLine($"{e.Application}: {e.GetType().Name}"));
        await host.RunAsync();
        #endregion
    }

    public static void IgnoreRules(IServiceCollection services)
    {
        #region diff-ignore-rules
        services.AddGitOps(o =>
        {
            // An autoscaler owns the replica count: do not call its changes drift.
            o.IgnoreRules.Add(new IgnoreRule { ManagedFieldsManagers = ["hpa-controller"] });

            o.Applications.Add(new ApplicationDefinition
            {
                Name = "shop",
                Source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main" },
                IgnoreRules =
                [
                    // A CA bundle injected by cert-manager into every webhook.
                    new IgnoreRule { Kind = "ValidatingWebhookConfiguration", JsonPointers = ["/webhooks/*/clientConfig/caBundle"] },
                    new IgnoreRule { Group = "apps", Kind = "Deployment", Name = "web-*", JsonPointers = ["/spec/replicas"] },
                ],
            });
        });
        #endregion
    }

    public static void Extending(IServiceCollection services)
    {
        #region extending-register
        services.AddGitOps(o => o.Applications.Add(new ApplicationDefinition
            {
                Name = "shop",
                Source = new SourceReference
                {
                    Type = TarballSourceProvider.SourceType,
                    Url = "https://artifacts.example.com/shop/deploy-1.4.2.tar.gz",
                    Ref = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
                },
                Namespace = "shop",
            }))
            .AddTarballSource(o => o.CacheDirectory = "/var/cache/gitops/tarballs")
            .AddCostCenterLabel(o => o.ByApplication["shop"] = "cc-4711")
            .AddHealthAssessor<DatabaseHealth>()
            .AddKubernetesTarget();
        #endregion
    }

    public static IDisposable Operating(IGitOpsController gitops)
    {
        #region operating-events
        return gitops.Events.Subscribe(e =>
        {
            switch (e)
            {
                case DriftDetected drift:
                    foreach (var o in drift.Objects)
                    {
                        Console.WriteLine($"{drift.Application}: {o}");   // key, action and attributed field changes
                    }

                    break;
                case ReconcileFailed failed:
                    Console.WriteLine($"{failed.Application} failed in {failed.Stage}: {failed.Message}");
                    break;
            }
        });
        #endregion
    }
}

#region extending-health
/// <summary>Health of a custom resource: Ready when its status says so.</summary>
public sealed class DatabaseHealth : IHealthAssessor
{
    public HealthResult? Assess(KubeObject live)
    {
        ArgumentNullException.ThrowIfNull(live);
        if (live.Key.Group != "db.example.com" || live.Key.Kind != "Database")
        {
            return null; // not ours: the next assessor (or the built-in rules) decides
        }

        return live.Json.TryGetProperty("status", out var status) && status.TryGetProperty("ready", out var ready) && ready.GetBoolean()
            ? HealthResult.Healthy
            : new HealthResult(HealthStatus.Progressing, "waiting for status.ready");
    }
}
#endregion

#region extending-renderer
/// <summary>A renderer for a folder holding one <c>objects.json</c> array (e.g. generated by another tool).</summary>
public sealed class JsonArrayRenderer : IRenderer
{
    public string Name => "json-array";

    public bool CanRender(SourceArtifact artifact, RenderOptions options) =>
        File.Exists(Path.Combine(artifact.ContentDirectory, "objects.json"));

    public async ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken)
    {
        var file = Path.Combine(artifact.ContentDirectory, "objects.json");
        using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(file, cancellationToken));
        var objects = ImmutableArray.CreateBuilder<KubeObject>();
        var errors = new List<ManifestError>();
        var index = 0;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            try
            {
                objects.Add(KubeObject.Parse(item.GetRawText()));
            }
            catch (FormatException e)
            {
                errors.Add(new ManifestError(e.Message, "objects.json", index)); // name the file and the item
            }

            index++;
        }

        return errors.Count > 0
            ? RenderResult.Failure(errors, Name)
            : RenderResult.Success(new DesiredState { Objects = objects.ToImmutable(), Revision = artifact.Revision, Digest = artifact.Digest }, Name);
    }
}
#endregion
