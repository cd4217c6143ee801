using System.Collections.Concurrent;
using System.Globalization;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hooks;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// Sync hooks and health-gated waves (docs/sync-hooks.md) on the real engine: a git daemon, the Git source, the Kubernetes
/// target over HTTP and the emulator, whose Jobs are run by <see cref="EmulatedJobController"/> as a real Job controller would.
/// </summary>
public sealed class SyncHooksEndToEndTests
{
    private const string Ns = EndToEndEnvironment.Namespace;

    private static string Job(string name, string annotations) => $"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {name}
          annotations:
        {annotations}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: main
                  image: registry.example.com/shop/tools:1.0
                  command: ["/bin/{name}"]
        """;

    private static string Settings(string greeting, int? wave = null) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        {(wave is null ? string.Empty : $"  annotations:\n    argocd.argoproj.io/sync-wave: \"{wave}\"\n")}data:
          GREETING: {greeting}
        """;

    /// <summary>A storefront whose repository holds only <paramref name="files"/>, its namespace created beforehand.</summary>
    private static async Task<EndToEndEnvironment> CreateAsync(Func<ApplicationDefinition, ApplicationDefinition>? app, params (string Path, string Content)[] files)
    {
        var env = await CreateWithoutNamespaceAsync(app, files);

        // A namespace that exists before the first sync (created by hand, or by another application).
        await env.Api.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Ns}\n", manager: "kubectl-create");
        return env;
    }

    /// <summary>A storefront whose repository holds only <paramref name="files"/>; its namespace does not exist yet.</summary>
    private static async Task<EndToEndEnvironment> CreateWithoutNamespaceAsync(Func<ApplicationDefinition, ApplicationDefinition>? app, params (string Path, string Content)[] files)
    {
        var env = await EndToEndEnvironment.CreateAsync(
            app,
            builder: b => b.Services.Configure<GitOpsOptions>(o => o.HealthPollInterval = TimeSpan.FromMilliseconds(50)));
        foreach (var file in Directory.GetFiles(Path.Combine(env.Repo.WorkTree, "deploy")))
        {
            env.Repo.Delete("deploy/" + Path.GetFileName(file));
        }

        foreach (var (path, content) in files)
        {
            env.Repo.Write("deploy/" + path, content);
        }

        await env.Repo.CommitAndPushAsync("the storefront with hooks");
        return env;
    }

    private static string? Uid(EndToEndEnvironment env, string job) => (string?)env.Api.Get("batch/v1", "Job", Ns, job)?["metadata"]?["uid"];

    private static long ResourceVersion(EndToEndEnvironment env, string apiVersion, string kind, string name) =>
        long.Parse((string)env.Api.Get(apiVersion, kind, Ns, name)!["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);

    private static StatusCondition ReadyOf(EndToEndEnvironment env) =>
        env.Controller.GetStatus(EndToEndEnvironment.App)!.GetCondition(ConditionTypes.Ready)!;

    [Fact]
    public async Task ArgoCdHooks_PreSyncMigrationAndPostSyncSmokeTest_RunInOrder_AndAreCleanedUpPerPolicy()
    {
        await using var env = await CreateAsync(
            null,
            ("settings.yaml", Settings("Hello from Git")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation")),
            ("smoke-test.yaml", Job("smoke-test", "    argocd.argoproj.io/hook: PostSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded")));
        var seen = new ConcurrentQueue<string>();
        await using var jobs = await EmulatedJobController.StartAsync(env.Api, Ns, _ => true, onCreated: name => seen.Enqueue($"{name}: GREETING={env.ConfigValue() ?? "(none)"}"));

        await env.StartAsync();

        var first = env.Completed.Should().ContainSingle().Subject;
        first.Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        seen.Should().Equal("migrate: GREETING=(none)", "smoke-test: GREETING=Hello from Git");
        env.EventsOf<HookFinished>().Select(h => $"{h.Phase} {h.Object.Name} {h.Succeeded}").Should().Equal("PreSync migrate True", "PostSync smoke-test True");
        var migrateUid = Uid(env, "migrate");
        migrateUid.Should().NotBeNull("BeforeHookCreation keeps the finished migration until the next sync");
        Uid(env, "smoke-test").Should().BeNull("HookSucceeded deleted the smoke test once it passed");
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.Is(ConditionTypes.Ready).Should().BeTrue();
        status.Objects.Select(o => o.Key.Name).Should().Equal("web-settings");
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        inventory!.Entries.Select(e => e.Key.Name).Should().Equal("web-settings");

        // A reconcile with nothing to sync runs no hook, and the finished migration is neither drift nor pruned.
        env.Controller.RequestReconcile(EndToEndEnvironment.App).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Count == 2, "the manual reconcile finished");
        env.Completed[1].Outcome.Should().Be(ReconcileOutcome.Synced);
        jobs.Created.Should().Equal("migrate", "smoke-test");
        env.EventsOf<DriftDetected>().Should().BeEmpty();
        Uid(env, "migrate").Should().Be(migrateUid);

        // The next change runs them again, in order; the previous migration is deleted before it is created again.
        env.Repo.Write("deploy/settings.yaml", Settings("Hello again"));
        await env.PushAsync("new greeting");

        env.Completed[^1].Outcome.Should().Be(ReconcileOutcome.Applied);
        seen.Should().Equal("migrate: GREETING=(none)", "smoke-test: GREETING=Hello from Git", "migrate: GREETING=Hello from Git", "smoke-test: GREETING=Hello again");
        Uid(env, "migrate").Should().NotBeNull().And.NotBe(migrateUid);
        Uid(env, "smoke-test").Should().BeNull();
    }

    [Fact]
    public async Task CreateNamespace_FirstSync_NamespaceIsCreatedBeforeThePreSyncHook_AndOwnedLikeTheOtherObjects()
    {
        await using var env = await CreateWithoutNamespaceAsync(
            a => a with { CreateNamespace = true },
            ("settings.yaml", Settings("Hello from Git")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync")));
        var seen = new ConcurrentQueue<string>();
        await using var jobs = await EmulatedJobController.StartAsync(env.Api, Ns, _ => true, onCreated: name => seen.Enqueue($"{name}: GREETING={env.ConfigValue() ?? "(none)"}"));

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        seen.Should().Equal("migrate: GREETING=(none)");
        env.EventsOf<HookFinished>().Select(h => $"{h.Phase} {h.Object.Name} {h.Succeeded}").Should().Equal("PreSync migrate True");
        env.ConfigValue().Should().Be("Hello from Git");
        var ns = env.Api.Get("v1", "Namespace", null, Ns)!;
        ((string?)ns["metadata"]?["labels"]?[WellKnown.ApplicationLabel]).Should().Be(EndToEndEnvironment.App);
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        inventory!.Entries.Select(e => $"{e.Key.Kind}/{e.Key.Name}").Should().BeEquivalentTo("Namespace/demo", "ConfigMap/web-settings");
    }

    [Fact]
    public async Task NamespaceDeclaredInTheSource_FirstSync_IsCreatedBeforeThePreSyncHook()
    {
        await using var env = await CreateWithoutNamespaceAsync(
            null,
            ("namespace.yaml", $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Ns}\n"),
            ("settings.yaml", Settings("Hello from Git")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync")));
        var seen = new ConcurrentQueue<string>();
        await using var jobs = await EmulatedJobController.StartAsync(env.Api, Ns, _ => true, onCreated: name => seen.Enqueue($"{name}: GREETING={env.ConfigValue() ?? "(none)"}"));

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        seen.Should().Equal("migrate: GREETING=(none)");
        env.ConfigValue().Should().Be("Hello from Git");
        env.Exists("v1", "Namespace", Ns, null).Should().BeTrue();
    }

    [Fact]
    public async Task CreateNamespace_FailingPreSyncHook_OnlyTheNamespaceWasCreated_AndTheMessageSaysSo()
    {
        await using var env = await CreateWithoutNamespaceAsync(
            a => a with { CreateNamespace = true },
            ("settings.yaml", Settings("Hello from Git")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync")));
        await using var jobs = await EmulatedJobController.StartAsync(env.Api, Ns, _ => false);

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed);
        env.ConfigValue().Should().BeNull("nothing but the namespace was applied");
        env.Exists("v1", "Namespace", Ns, null).Should().BeTrue();
        env.EventsOf<ReconcileFailed>()[0].Message.Should().Contain(
            "PreSync hook batch/Job/demo/migrate (deploy/migrate.yaml#0 (1:1)) failed: Job has reached the specified backoff limit; nothing of the sync was applied but Namespace demo, created for the PreSync hooks");
        ReadyOf(env).Reason.Should().Be("HookFailed");
    }

    [Fact]
    public async Task FailingPreSyncHook_NothingOfTheSyncApplied_SyncFailHookRuns_StatusSaysHookFailed()
    {
        await using var env = await CreateAsync(
            null,
            ("settings.yaml", Settings("Hello from Git")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync")),
            ("smoke-test.yaml", Job("smoke-test", "    argocd.argoproj.io/hook: PostSync")),
            ("page-oncall.yaml", Job("page-oncall", "    argocd.argoproj.io/hook: SyncFail\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded")));
        await using var jobs = await EmulatedJobController.StartAsync(env.Api, Ns, name => name != "migrate");

        await env.StartAsync();

        env.Completed.Should().ContainSingle().Which.Outcome.Should().Be(ReconcileOutcome.Failed);
        env.ConfigValue().Should().BeNull("nothing of the sync was applied");
        jobs.Created.Should().Equal("migrate", "page-oncall");
        env.EventsOf<HookFinished>().Select(h => $"{h.Phase} {h.Object.Name} {h.Succeeded}").Should().Equal("PreSync migrate False", "SyncFail page-oncall True");
        var failed = env.EventsOf<ReconcileFailed>().Should().ContainSingle().Subject;
        failed.Stage.Should().Be(ReconcileStage.Apply);
        failed.Message.Should().Contain("PreSync hook batch/Job/demo/migrate (deploy/migrate.yaml#0 (1:1)) failed: Job has reached the specified backoff limit; nothing of the sync was applied; SyncFail hooks ran");
        var ready = ReadyOf(env);
        ready.Status.Should().Be(ConditionStatus.False);
        ready.Reason.Should().Be("HookFailed");
        ready.Message.Should().Contain("migrate");
        env.Controller.GetStatus(EndToEndEnvironment.App)!.Sync.Should().Be(ApplicationSyncStatus.Failed);
        Uid(env, "migrate").Should().NotBeNull("BeforeHookCreation keeps the failed migration for inspection");
        Uid(env, "page-oncall").Should().BeNull("HookSucceeded");
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        (inventory?.Entries ?? []).Should().BeEmpty();
    }

    [Fact]
    public async Task WaveHealthGate_Wave1WaitsUntilWave0IsHealthy()
    {
        await using var env = await CreateAsync(
            a => a with { WaveHealthGate = true, WaveHealthTimeout = TimeSpan.FromMinutes(1) },
            ("seed.yaml", Job("seed", "    argocd.argoproj.io/sync-wave: \"0\"")),
            ("settings.yaml", Settings("Hello from Git", wave: 1)));
        var seen = new ConcurrentQueue<string>();
        await using var jobs = await EmulatedJobController.StartAsync(env.Api, Ns, _ => true, onCreated: name => seen.Enqueue($"{name}: GREETING={env.ConfigValue() ?? "(none)"}"));

        await env.StartAsync();

        // The Job controller's status write is someone else's change to a managed object: a second (no-op) reconcile may follow.
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        seen.Should().Equal("seed: GREETING=(none)");
        ResourceVersion(env, "v1", "ConfigMap", "web-settings").Should().BeGreaterThan(jobs.StatusWrittenAt["seed"], "wave 1 was written only after the Job of wave 0 completed");
        env.ConfigValue().Should().Be("Hello from Git");
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        inventory!.Entries.Select(e => e.Key.Name).Should().BeEquivalentTo("seed", "web-settings");
    }

    [Fact]
    public async Task WaveHealthGate_Wave0NeverHealthy_TimesOutNamingTheObject_Wave1NotApplied()
    {
        await using var env = await CreateAsync(
            a => a with { WaveHealthGate = true, WaveHealthTimeout = TimeSpan.FromSeconds(1) },
            ("seed.yaml", Job("seed", "    argocd.argoproj.io/sync-wave: \"0\"")),
            ("settings.yaml", Settings("Hello from Git", wave: 1)));
        await using var jobs = await EmulatedJobController.StartAsync(env.Api, Ns, _ => null);

        await env.StartAsync();

        env.Completed.Should().ContainSingle().Which.Outcome.Should().Be(ReconcileOutcome.Failed);
        env.ConfigValue().Should().BeNull("wave 1 is not applied while wave 0 is unhealthy");
        env.Exists("batch/v1", "Job", "seed").Should().BeTrue();
        var ready = ReadyOf(env);
        ready.Status.Should().Be(ConditionStatus.False);
        ready.Reason.Should().Be("WaveNotHealthy");
        ready.Message.Should().Contain("wave 0 did not become healthy within 00:00:01 (WaveHealthTimeout); wave 1 and later were not applied, nothing was pruned: Job.batch demo/seed: Progressing: Job is running");
        env.EventsOf<ReconcileFailed>().Should().ContainSingle().Which.Message.Should().Contain("Job.batch demo/seed: Progressing");
    }
}
