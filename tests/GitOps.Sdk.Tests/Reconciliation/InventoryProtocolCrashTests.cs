using GitOps.Sdk.Status;
using GitOps.Sdk.Testing.InMemory;
using Microsoft.Extensions.DependencyInjection;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Reconciliation;

/// <summary>
/// The inventory protocol (pending before the apply, completed after) through the reconciler that runs it: the process
/// "crashes" at each point, and a new process (a new host over the same cluster and inventory store) must prune what
/// the interrupted run created or meant to prune, and must not adopt what the interrupted run was refused.
/// </summary>
public sealed class InventoryProtocolCrashTests
{
    public enum CrashPoint
    {
        AfterPendingBeforeApply,
        MidApply,
        AfterApplyBeforeCompleted,
    }

    [Theory]
    [InlineData(CrashPoint.AfterPendingBeforeApply)]
    [InlineData(CrashPoint.MidApply)]
    [InlineData(CrashPoint.AfterApplyBeforeCompleted)]
    public async Task Reconcile_CrashDuringApply_NextProcessPrunesWhatTheRunTrackedAndAdoptsNothing(CrashPoint point)
    {
        var crash = new Crash();
        await using var first = Create(services: s => crash.Install(s));

        // Revision 1: a and b, applied cleanly.
        first.Commit(("a.yaml", ConfigMap("a", "one")), ("b.yaml", ConfigMap("b", "one")));
        (await first.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied);

        // Revision 2 drops b, adds c, and declares u, which exists unmarked (someone else's): u is refused.
        first.Cluster.Put(KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u","namespace":"shop"},"data":{"greeting":"theirs"}}"""));
        first.Commit(("a.yaml", ConfigMap("a", "one")), ("c.yaml", ConfigMap("c", "one")), ("u.yaml", ConfigMap("u", "mine")));
        crash.At = point;
        var crashed = await first.Controller.ReconcileAsync("shop", default);
        crash.At = null;

        crashed.Outcome.Should().Be(ReconcileOutcome.Failed, "the simulated crash ends the run");
        crashed.Error.Should().Contain("simulated crash");
        var stored = (await first.Inventory.GetAsync("shop", default))!.Entries.Select(e => e.Key.Name).ToList();
        stored.Should().Equal(["a", "b", "c"], "the pending inventory lists what the run was about to write, and never the refused u");
        (first.Cluster.Find(ConfigMapKey("c")) is not null).Should().Be(point != CrashPoint.AfterPendingBeforeApply);
        (first.Cluster.Find(ConfigMapKey("b")) is not null).Should().Be(point != CrashPoint.AfterApplyBeforeCompleted);

        // A new process reconciles revision 3, which declares a and u only.
        await using var restarted = Create(sharingClusterWith: first);
        restarted.Commit(("a.yaml", ConfigMap("a", "one")), ("u.yaml", ConfigMap("u", "mine")));
        var result = await restarted.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Refused, result.Error);
        restarted.Cluster.Find(ConfigMapKey("b")).Should().BeNull("b was in the inventory through the crash and is pruned");
        restarted.Cluster.Find(ConfigMapKey("c")).Should().BeNull("c was listed before it was created, so it is pruned");
        var u = restarted.Cluster.Find(ConfigMapKey("u"))!;
        u.GetLabel(WellKnown.ApplicationLabel).Should().BeNull("u was never this application's: a crash must not make it adopted");
        restarted.Value("u").Should().Be("theirs");
        result.Refused.Should().ContainSingle().Which.Key.Should().Be(ConfigMapKey("u"));
        (await restarted.Inventory.GetAsync("shop", default))!.Entries.Select(e => e.Key.Name).Should().Equal("a");
        result.Drift.Should().BeEmpty("nothing was changed by someone else");
    }

    [Fact]
    public async Task Reconcile_CrashAfterPendingOfAChange_NextRunDoesNotCallItDrift()
    {
        var crash = new Crash();
        await using var first = Create(services: s => crash.Install(s));
        first.Commit(("a.yaml", ConfigMap("a", "one")));
        (await first.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied);

        first.Commit(("a.yaml", ConfigMap("a", "two")));
        crash.At = CrashPoint.AfterPendingBeforeApply;
        (await first.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Failed);
        crash.At = null;

        await using var restarted = Create(sharingClusterWith: first);
        restarted.Commit(("a.yaml", ConfigMap("a", "two")));
        var result = await restarted.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Applied, result.Error);
        restarted.Value("a").Should().Be("two");
        result.Drift.Should().BeEmpty("the pending inventory must not record 'two' as applied before it was");
    }

    /// <summary>Where the simulated process crash happens; the resource writer and the inventory store consult it.</summary>
    private sealed class Crash
    {
        private CrashPoint? _at;

        public CrashPoint? At
        {
            get => _at;
            set
            {
                _at = value;
                Saves = 0;
            }
        }

        public int Saves { get; set; }

        public void Install(IServiceCollection services)
        {
            services.AddSingleton<IResourceWriter>(sp => new CrashingWriter(new InMemoryResourceWriter((InMemoryCluster)sp.GetRequiredService<ILiveState>()), this));
            services.AddSingleton<IInventoryStore>(new CrashingInventoryStore(new InMemoryInventoryStore(), this));
        }

        public static InvalidOperationException Now(CrashPoint point) => new($"simulated crash ({point})");
    }

    /// <summary>Crashes before the first write, or (mid-apply) once the writes are done and the prunes begin.</summary>
    private sealed class CrashingWriter(IResourceWriter inner, Crash crash) : IResourceWriter
    {
        public int MaxConcurrency => inner.MaxConcurrency;

        public ValueTask<WriteResult> ApplyAsync(ApplyRequest request, CancellationToken cancellationToken) =>
            crash.At == CrashPoint.AfterPendingBeforeApply ? throw Crash.Now(CrashPoint.AfterPendingBeforeApply) : inner.ApplyAsync(request, cancellationToken);

        public ValueTask<WriteResult> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) =>
            crash.At is CrashPoint.AfterPendingBeforeApply or CrashPoint.MidApply ? throw Crash.Now(crash.At.Value) : inner.DeleteAsync(request, cancellationToken);

        public ValueTask<ReadinessResult> WaitEstablishedAsync(KubeObject definition, CancellationToken cancellationToken) => inner.WaitEstablishedAsync(definition, cancellationToken);
    }

    /// <summary>Crashes (after-apply) on the run's second save: the pending inventory is saved, the completed one is not.</summary>
    private sealed class CrashingInventoryStore(IInventoryStore inner, Crash crash) : IInventoryStore
    {
        public ValueTask<GitOps.Sdk.Inventory?> GetAsync(string application, CancellationToken cancellationToken) => inner.GetAsync(application, cancellationToken);

        public ValueTask SaveAsync(GitOps.Sdk.Inventory inventory, CancellationToken cancellationToken)
        {
            if (crash.At == CrashPoint.AfterApplyBeforeCompleted && ++crash.Saves == 2)
            {
                throw Crash.Now(CrashPoint.AfterApplyBeforeCompleted);
            }

            return inner.SaveAsync(inventory, cancellationToken);
        }

        public ValueTask DeleteAsync(string application, CancellationToken cancellationToken) => inner.DeleteAsync(application, cancellationToken);
    }
}
