using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// <see cref="ApplicationDefinition.DependsOn"/> on the real engine (git daemon, Git source, Kubernetes target over HTTP,
/// the emulator): the storefront depends on a "db" application from an <see cref="InMemoryApplicationSource"/>.
/// </summary>
public sealed class DependsOnEndToEndTests
{
    private const string Db = "db";

    [Fact]
    public async Task Storefront_WaitsForItsFailingDependency_AndSyncsOnceTheDependencyIsFixed()
    {
        var memory = new InMemoryApplicationSource();
        await using var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { DependsOn = [Db] },
            builder: b => b.AddApplicationSource(memory));
        env.Repo.Write("db/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n");
        await env.Repo.CommitAndPushAsync("a db application that does not render");
        memory.Set(new ApplicationDefinition
        {
            Name = Db,
            Source = new SourceReference { Url = env.SourceUrl, Ref = "main" },
            Path = "db",
            Namespace = "data",
            CreateNamespace = true,

            // As docs/dependencies.md advises for a dependency: its health right after the apply is read from the watch
            // cache, which may not hold the new objects yet; waiting for health makes "ready" mean ready.
            WaitForHealth = true,
            Interval = TimeSpan.FromHours(1),
            MinRetryDelay = TimeSpan.FromHours(1),
            MaxRetryDelay = TimeSpan.FromHours(1),
        });

        await env.StartAsync();
        await EndToEndEnvironment.WaitUntilAsync(() => ReadyOf(env).Message == "waiting for db (not ready: RenderFailed)", "the storefront says it waits for the failing db");
        var ready = ReadyOf(env);
        ready.Status.Should().Be(ConditionStatus.False);
        ready.Reason.Should().Be("DependencyNotReady");
        env.Completed.Should().OnlyContain(c => c.Application == Db, "the storefront did not reconcile");
        env.Completed.Should().ContainSingle().Which.Outcome.Should().Be(ReconcileOutcome.Failed);
        env.Exists("apps/v1", "Deployment", "web").Should().BeFalse("nothing of the storefront was applied");
        env.EventsOf<DependencyNotReady>().Should().NotBeEmpty().And.OnlyContain(e => e.Application == EndToEndEnvironment.App);

        // The fix is pushed; the webhook reaches both applications (one source). The storefront reconciles after db synced.
        env.Repo.Write("db/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db-settings\ndata:\n  url: postgres://db\n");
        var sha = await env.Repo.CommitAndPushAsync("db renders");
        env.Controller.NotifySourceChanged(env.SourceUrl).Should().Be(2);
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Any(c => c.Application == EndToEndEnvironment.App), "the storefront reconciled");

        var dbRun = env.Completed.Last(c => c.Application == Db);
        dbRun.Outcome.Should().Be(ReconcileOutcome.Applied);
        dbRun.Revision.Should().Contain(sha);
        var completed = env.Completed.ToList();
        completed.FindIndex(c => c.Application == EndToEndEnvironment.App).Should().BeGreaterThan(completed.IndexOf(dbRun), "the storefront ran after db synced");
        var run = completed.Single(c => c.Application == EndToEndEnvironment.App);
        run.Outcome.Should().Be(ReconcileOutcome.Applied);
        run.Trigger.Should().Be(ReconcileTrigger.DependencyReady);
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
        env.Exists("v1", "ConfigMap", "db-settings", "data").Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => ReadyOf(env).Status == ConditionStatus.True, "the storefront is Ready");
    }

    private static StatusCondition ReadyOf(EndToEndEnvironment env) =>
        env.Controller.GetStatus(EndToEndEnvironment.App)!.GetCondition(ConditionTypes.Ready)!;
}
