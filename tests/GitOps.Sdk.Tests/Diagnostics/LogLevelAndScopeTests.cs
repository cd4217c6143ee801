using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.Tests.Reconciliation;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Diagnostics;

/// <summary>
/// Levels match what happened (a steady no-op at Debug, failures at Warning, a routine failure without a stack trace)
/// and every line of a reconcile carries the application, the trigger and the revision as scope properties.
/// </summary>
public sealed class LogLevelAndScopeTests
{
    private const int ReconcileFinished = 2;
    private const int Applied = 5;
    private const int UnexpectedError = 8;
    private const int StageFailedRoutine = 18;
    private const int StepDone = 50;

    [Fact]
    public async Task Reconcile_LinesOfTheRun_CarryApplicationTriggerAndRevisionScopes()
    {
        var logs = new CapturingLoggerProvider();
        await using var h = Create(services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Applied);
        var step = logs.Entries.Should().ContainSingle(e => e.EventId.Id == StepDone, "the executor logs the one step").Subject;
        step.ScopeProperties.Should().Contain("Application", "shop").And.Contain("Trigger", "Manual").And.Contain("Revision", result.Revision);
        step.Scopes.Select(s => s?.ToString()).Should().Contain(["Application:shop Trigger:Manual", $"Revision:{result.Revision}"]);
        logs.Entries.Single(e => e.EventId.Id == Applied).ScopeProperties.Should().Contain("Revision", result.Revision);
        var finished = logs.Entries.Single(e => e.EventId.Id == ReconcileFinished);
        finished.ScopeProperties.Should().Contain("Application", "shop").And.Contain("Revision", result.Revision);
        logs.Entries.Single(e => e.EventId.Id == 1).ScopeProperties.Should().Contain("Application", "shop").And.NotContainKey("Revision", "the run has not resolved a revision when it starts");
        finished.Message.Should().Be($"Reconciled shop at {result.Revision}: Applied in 0 ms");
    }

    [Fact]
    public async Task IntervalReconcile_NothingMoved_IsSkippedAtDebug()
    {
        var logs = new CapturingLoggerProvider();
        await using var h = Create(services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied);

        var second = await ((GitOpsController)h.Controller).RunAsync(h.RuntimeOf(), ReconcileTrigger.Interval, default);

        second.Outcome.Should().Be(ReconcileOutcome.Skipped);
        var finished = logs.Entries.Where(e => e.EventId.Id == ReconcileFinished).ToList();
        finished.Should().HaveCount(2);
        finished[0].Level.Should().Be(LogLevel.Information, "the first reconcile applied something");
        finished[1].Level.Should().Be(LogLevel.Debug, "an interval that finds nothing to do is no news");
        finished[1].Message.Should().Contain("Skipped");
        finished[1].ScopeProperties.Should().Contain("Trigger", "Interval");
    }

    [Fact]
    public async Task Apply_OneObjectFails_StepAndSummaryAreWarnings()
    {
        var logs = new CapturingLoggerProvider();
        await using var h = Create(services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        h.Writer.FailWhen = key => key.Name == "b" ? "admission webhook denied the request" : null;
        h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));

        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Failed);

        var steps = logs.Entries.Where(e => e.EventId.Id == StepDone).ToList();
        steps.Single(e => e.Message.Contains("/ConfigMap/shop/b", StringComparison.Ordinal)).Level.Should().Be(LogLevel.Warning);
        steps.Single(e => e.Message.Contains("/ConfigMap/shop/a", StringComparison.Ordinal)).Level.Should().Be(LogLevel.Information);
        var applied = logs.Entries.Single(e => e.EventId.Id == Applied);
        applied.Level.Should().Be(LogLevel.Warning);
        applied.Message.Should().EndWith("1 created, 0 configured, 0 deleted, 1 failed");
        logs.Entries.Single(e => e.EventId.Id == ReconcileFinished).Level.Should().Be(LogLevel.Warning);
    }

    [Theory]
    [InlineData(typeof(TimeoutException))]
    [InlineData(typeof(TargetException))]
    [InlineData(typeof(HttpRequestException))]
    [InlineData(typeof(TaskCanceledException))]
    public async Task LiveStateFails_Routinely_OneWarningWithoutStackTrace(Type exceptionType)
    {
        var logs = new CapturingLoggerProvider();
        var failure = (Exception)Activator.CreateInstance(exceptionType, "GET /api/v1/namespaces/shop/configmaps failed: 503 Service Unavailable")!;
        await using var h = Create(services: s =>
        {
            s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            s.AddSingleton<ILiveState>(new FailingLiveState(failure));
        });
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.Error.Should().Contain(exceptionType.Name).And.Contain("503 Service Unavailable").And.NotContain("unexpected");
        var routine = logs.Entries.Should().ContainSingle(e => e.EventId.Id == StageFailedRoutine).Subject;
        routine.Level.Should().Be(LogLevel.Warning);
        routine.Message.Should().Be($"Reconcile of shop failed at stage LiveState ({exceptionType.Name}): GET /api/v1/namespaces/shop/configmaps failed: 503 Service Unavailable; it is tried again");
        routine.ScopeProperties.Should().Contain("Application", "shop").And.Contain("Revision", result.Revision);
        logs.Entries.Should().NotContain(e => e.Exception != null, "a routine failure is one line, no stack trace");
        logs.Entries.Should().NotContain(e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task LiveStateFails_WithABug_IsAnUnexpectedErrorWithTheException()
    {
        var logs = new CapturingLoggerProvider();
        await using var h = Create(services: s =>
        {
            s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            s.AddSingleton<ILiveState>(new FailingLiveState(new InvalidOperationException("a bug")));
        });
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Failed);

        var unexpected = logs.Entries.Should().ContainSingle(e => e.EventId.Id == UnexpectedError).Subject;
        unexpected.Level.Should().Be(LogLevel.Error);
        unexpected.Exception.Should().BeOfType<InvalidOperationException>();
        logs.Entries.Should().NotContain(e => e.EventId.Id == StageFailedRoutine);
    }

    /// <summary>A live state whose every read fails with one exception (the cluster, as the engine sees it, when it fails).</summary>
    private sealed class FailingLiveState(Exception failure) : ILiveState, IObservable<LiveChange>, IDisposable
    {
        public IObservable<LiveChange> Changes => this;

        public ValueTask<KubeObject?> GetAsync(ResourceKey key, string apiVersion, CancellationToken cancellationToken) => throw failure;

        public ValueTask<IReadOnlyDictionary<ResourceKey, KubeObject>> GetManyAsync(IReadOnlyCollection<(ResourceKey Key, string ApiVersion)> objects, CancellationToken cancellationToken) =>
            throw failure;

        public ValueTask WatchAsync(GroupKind groupKind, string apiVersion, string? @namespace, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public IDisposable Subscribe(IObserver<LiveChange> observer) => this;

        public void Dispose()
        {
        }
    }
}
