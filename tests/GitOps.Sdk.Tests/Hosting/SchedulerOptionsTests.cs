using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Hosting;

/// <summary>Scheduler options no other test sets: jitter above zero and <see cref="GitOpsOptions.ReconcileOnLiveChange"/> off.</summary>
public sealed class SchedulerOptionsTests
{
    [Fact]
    public async Task JitterFraction_Spreads_IntervalsWithinTheFraction_AndBackoffStaysCapped()
    {
        await using var h = Create(options: o => o.JitterFraction = 0.2, app: a => a with { MinRetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(40) });
        var scheduler = h.Provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<GitOpsHostedService>().Single();
        var definition = h.Controller is GitOpsController c ? c.Runtimes[0].Reconciler.Definition : throw new InvalidOperationException();

        var intervals = Enumerable.Range(0, 400).Select(_ => scheduler.Jitter(TimeSpan.FromMinutes(5))).ToList();
        var backoffs = Enumerable.Range(0, 400).Select(_ => scheduler.Backoff(definition, 10)).ToList();

        intervals.Should().OnlyContain(t => t >= TimeSpan.FromMinutes(4) && t <= TimeSpan.FromMinutes(6), "±20 % of 5 minutes");
        intervals.Min().Should().BeLessThan(TimeSpan.FromMinutes(4.5), "400 draws spread over the whole range");
        intervals.Max().Should().BeGreaterThan(TimeSpan.FromMinutes(5.5));
        intervals.Distinct().Count().Should().BeGreaterThan(300, "each application's next run is drawn anew");
        backoffs.Should().OnlyContain(t => t >= TimeSpan.FromSeconds(32) && t <= TimeSpan.FromSeconds(40), "jitter never exceeds MaxRetryDelay");
    }

    [Fact]
    public async Task JitterFraction_ScheduledNextRun_IsJittered()
    {
        await using var h = Create(options: o => o.JitterFraction = 0.5);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the start-up reconcile finished");

        var idle = await h.WaitForIdleAsync("the loop waits for the interval");

        var delay = idle.Until!.Value - h.Time.GetUtcNow();
        delay.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMinutes(2.5)).And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(7.5));
        delay.Should().NotBe(TimeSpan.FromMinutes(5), "a jittered interval is (almost surely) not the exact interval");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task ReconcileOnLiveChangeFalse_ObjectDeleted_NoTriggerUntilTheInterval()
    {
        await using var h = Create(options: o => o.ReconcileOnLiveChange = false);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");
        var idle = await h.WaitForIdleAsync("the loop waits for the interval");

        h.Cluster.Delete(ConfigMapKey("a"));

        h.IsWoken(idle).Should().BeFalse("without ReconcileOnLiveChange no watch event triggers a reconcile");
        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.IsWoken(idle).Should().BeFalse();
        h.Value("a").Should().BeNull();

        await h.AdvanceUntilAsync(() => h.Completed == 2, "the interval reconcile ran");
        h.EventsOf<ReconcileCompleted>()[^1].Trigger.Should().Be(ReconcileTrigger.Interval);
        h.EventsOf<ReconcileCompleted>()[^1].Outcome.Should().Be(ReconcileOutcome.Applied, "the change was recorded, so the interval reconcile is a full one");
        h.Value("a").Should().Be("hello", "drift is still corrected on the interval");
        await h.HostedService.StopAsync(default);
    }
}
