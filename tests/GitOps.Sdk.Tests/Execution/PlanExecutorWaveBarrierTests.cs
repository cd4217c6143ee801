using GitOps.Sdk.Execution;

namespace GitOps.Sdk.Tests.Execution;

/// <summary>The barrier between waves (Sync hooks, the wave health gate run there): when it is called and what stopping does.</summary>
public sealed class PlanExecutorWaveBarrierTests
{
    private static KubeObject ConfigMap(string name) =>
        KubeObject.Parse($"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"namespace\":\"shop\",\"name\":\"{name}\"}}}}");

    private static PlanStep Apply(string name, int wave) => new() { Key = ConfigMap(name).Key, Action = PlanAction.Apply, Desired = ConfigMap(name), Wave = wave };

    private static PlanStep Delete(string name, int wave = 0) => new() { Key = ConfigMap(name).Key, Action = PlanAction.Delete, Live = ConfigMap(name), Wave = wave };

    private static ApplyPlan Plan(params PlanStep[] steps) => new() { Application = "shop", Steps = [.. steps] };

    [Fact]
    public async Task ExecuteAsync_Barrier_CalledAfterEachWavesAppliesIncludingExtraWaves_BeforeDeletes()
    {
        var writer = new ScriptedWriter();
        var barrier = new RecordingBarrier(writer, extraWaves: [5, -1]);
        var plan = Plan(Apply("late", 2), Apply("first", 0), Delete("old"), Apply("second", 0));

        var result = await new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions(), barrier, CancellationToken.None);
        barrier.Flush();

        result.Succeeded.Should().BeTrue();
        barrier.Trace.Should().Equal(
            "barrier -1",
            "apply ConfigMap/first", "apply ConfigMap/second", "barrier 0",
            "apply ConfigMap/late", "barrier 2",
            "barrier 5",
            "delete ConfigMap/old");
    }

    [Fact]
    public async Task ExecuteAsync_BarrierStops_LaterWavesAndDeletesSkippedWithItsReason()
    {
        var writer = new ScriptedWriter();
        var barrier = new RecordingBarrier(writer, extraWaves: []) { StopAfter = 0 };
        var plan = Plan(Apply("first", 0), Apply("late", 1), Delete("old"));

        var result = await new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions(), barrier, CancellationToken.None);
        barrier.Flush();

        writer.Calls.Should().Equal("apply ConfigMap/first");
        barrier.Trace.Should().Equal("apply ConfigMap/first", "barrier 0");
        result.Objects.Select(o => o.Outcome).Should().Equal(ApplyOutcome.Created, ApplyOutcome.Skipped, ApplyOutcome.Skipped);
        result.Objects[1].Message.Should().Be("not carried out: wave 0 is not healthy");
        result.Objects[2].Message.Should().Be("not carried out: wave 0 is not healthy");
    }

    [Fact]
    public async Task ExecuteAsync_StepFails_NoBarrierAfterThatWave()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Desired.Name == "bad" ? WriteResult.Failed("denied") : null };
        var barrier = new RecordingBarrier(writer, extraWaves: [3]);

        var result = await new PlanExecutor(writer).ExecuteAsync(plan: Plan(Apply("bad", 0), Apply("late", 1)), new ApplyOptions(), barrier, CancellationToken.None);
        barrier.Flush();

        barrier.Trace.Should().Equal("apply ConfigMap/bad");
        result.Objects[1].Outcome.Should().Be(ApplyOutcome.Skipped);
    }

    [Fact]
    public async Task ExecuteAsync_BarrierSeesTheWrittenObjects()
    {
        var writer = new ScriptedWriter();
        var barrier = new RecordingBarrier(writer, extraWaves: []);

        await new PlanExecutor(writer).ExecuteAsync(Plan(Apply("first", 0), Apply("late", 1)), new ApplyOptions(), barrier, CancellationToken.None);
        barrier.Flush();

        barrier.SeenAtWave0.Should().Be(ApplyOutcome.Created);
    }

    private sealed class RecordingBarrier(ScriptedWriter writer, IReadOnlyCollection<int> extraWaves) : WaveBarrier
    {
        private int _seenCalls;

        public List<string> Trace { get; } = [];

        public int? StopAfter { get; init; }

        public ApplyOutcome? SeenAtWave0 { get; private set; }

        public override IReadOnlyCollection<int> ExtraWaves => extraWaves;

        public override ValueTask<string?> AfterWaveAsync(int wave, Func<ResourceKey, ObjectApplyResult?> resultOf, CancellationToken cancellationToken)
        {
            Trace.AddRange(writer.Calls.Skip(_seenCalls));
            _seenCalls = writer.Calls.Count;
            Trace.Add($"barrier {wave}");
            if (wave == 0)
            {
                SeenAtWave0 = resultOf(ConfigMap("first").Key)?.Outcome;
            }

            return ValueTask.FromResult(wave == StopAfter ? $"wave {wave} is not healthy" : null);
        }

        public void Flush()
        {
            Trace.AddRange(writer.Calls.Skip(_seenCalls));
            _seenCalls = writer.Calls.Count;
        }
    }
}
