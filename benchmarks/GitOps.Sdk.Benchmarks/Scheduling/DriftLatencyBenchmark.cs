using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using IHost = Microsoft.Extensions.Hosting.IHost;

namespace GitOps.Sdk.Benchmarks.Scheduling;

/// <summary>
/// Drift latency as production sees it: a ConfigMap deleted by hand in the API emulator (over HTTP, through the real
/// KubernetesClient watch), until the engine has recreated it — real git daemon, Git source, Kubernetes target, the
/// default 500 ms <see cref="GitOpsOptions.DriftDebounce"/>. Baseline: every live change waits for the debounce
/// (<see cref="GitOpsOptions.DriftLeadingEdge"/> off, the behaviour before it); against it the leading edge, where the
/// first change after a quiet period reconciles at once. Each trial starts after a quiet second, as a single deletion by
/// hand does; 50 trials per row.
/// </summary>
[Config(typeof(Config))]
public class DriftLatencyBenchmark
{
    private TempDirectory temp = null!;
    private GitDaemonServer git = null!;
    private KubeApiEmulator api = null!;
    private IHost trailing = null!;
    private IHost leading = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var host in new[] { leading, trailing })
        {
            host.StopAsync().GetAwaiter().GetResult();
            host.Dispose();
        }

        api.DisposeAsync().AsTask().GetAwaiter().GetResult();
        git.DisposeAsync().AsTask().GetAwaiter().GetResult();
        temp.Dispose();
    }

    /// <summary>A quiet period longer than the debounce, so each trial is a first change, not part of a burst.</summary>
    [IterationSetup]
    public void Quiet() => Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System).GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "debounce every change (DriftLeadingEdge off)")]
    public Task TrailingDebounce() => DeleteAndAwaitRecreatedAsync("trailing");

    [Benchmark(Description = "leading edge + trailing debounce (default)")]
    public Task LeadingEdge() => DeleteAndAwaitRecreatedAsync("leading");

    private async Task DeleteAndAwaitRecreatedAsync(string ns)
    {
        if (!await api.DeleteAsync("v1", "ConfigMap", ns, "target"))
        {
            throw new InvalidOperationException($"ConfigMap {ns}/target was not there to delete");
        }

        while (api.Get("v1", "ConfigMap", ns, "target") is null)
        {
            await Task.Delay(1);
        }
    }

    private async Task SetupAsync()
    {
        temp = new TempDirectory("gitops-bench-drift");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        foreach (var ns in new[] { "trailing", "leading" })
        {
            repo.Write($"{ns}/target.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: target\n  namespace: {ns}\ndata:\n  k: v\n");
        }

        await repo.CommitAndPushAsync("drift targets");
        api = await KubeApiEmulator.StartAsync();
        trailing = await StartHostAsync("trailing", leadingEdge: false);
        leading = await StartHostAsync("leading", leadingEdge: true);
    }

    private async Task<IHost> StartHostAsync(string ns, bool leadingEdge)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGitOps(o =>
            {
                o.JitterFraction = 0;
                o.DriftLeadingEdge = leadingEdge;
                o.Applications.Add(new ApplicationDefinition
                {
                    Name = ns,
                    Source = new SourceReference { Url = git.UrlOf("deploy"), Ref = "main" },
                    Path = ns,
                    Namespace = ns,
                    CreateNamespace = true,
                    Interval = TimeSpan.FromHours(1),
                });
            })
            .AddGitSource(o => o.CacheDirectory = temp.Combine($"git-cache-{ns}"))
            .AddKubernetesTarget(o => o.KubeconfigPath = api.KubeconfigPath);
        var host = builder.Build();
        await host.StartAsync();
        var controller = host.Services.GetRequiredService<IGitOpsController>();
        var started = TimeProvider.System.GetTimestamp();
        while (controller.GetStatus(ns)?.NextReconcileTime is null || api.Get("v1", "ConfigMap", ns, "target") is null)
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"the first sync of {ns} did not finish: {controller.GetStatus(ns)?.LastError}");
            }

            await Task.Delay(20);
        }

        return host;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithWarmupCount(2)
                .WithIterationCount(50)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, StatisticColumn.Max);
        }
    }
}
