using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Samples.CustomSource.Tests;

/// <summary>The whole engine with the sample's parts registered through the builder, reconciling into the emulator.</summary>
public sealed class BuilderRegistrationTests
{
    [Fact]
    public async Task Reconcile_TarballSourceWithCostCenter_AppliesLabelledObjects()
    {
        using var server = new TarballServer();
        using var cache = new TempDirectory("gitops-tarball-cache");
        var (url, sha) = server.Publish("shop.tar.gz", ("configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  GREETING: hello\n"));
        await using var emulator = await KubeApiEmulator.StartAsync();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services
            .AddGitOps(o => o.Applications.Add(new ApplicationDefinition
            {
                Name = "shop",
                Source = new SourceReference { Type = TarballSourceProvider.SourceType, Url = url, Ref = "sha256:" + sha },
                Namespace = "default",
                Interval = TimeSpan.FromMinutes(10),
            }))
            .AddTarballSource(o => o.CacheDirectory = cache.Path)
            .AddCostCenterLabel(o => o.ByApplication["shop"] = "cc-42")
            .AddKubernetesTarget(k => k.KubeconfigPath = emulator.KubeconfigPath);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var result = await host.Services.GetRequiredService<IGitOpsController>().ReconcileAsync("shop", CancellationToken.None);

            result.Outcome.Should().BeOneOf(ReconcileOutcome.Applied, ReconcileOutcome.Synced);
            var live = emulator.Get("v1", "ConfigMap", "default", "settings");
            live.Should().NotBeNull();
            live!["metadata"]!["labels"]!["example.com/cost-center"]!.GetValue<string>().Should().Be("cc-42");
            live["data"]!["GREETING"]!.GetValue<string>().Should().Be("hello");
            host.Services.GetRequiredService<IGitOpsController>().GetStatus("shop")!.LastAppliedRevision.Should().Contain(sha);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
