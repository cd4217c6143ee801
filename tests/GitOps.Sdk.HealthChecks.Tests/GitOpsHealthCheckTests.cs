using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using CheckStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace GitOps.Sdk.HealthChecks.Tests;

public sealed class GitOpsHealthCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CheckHealth_OneApplicationFailing_UnhealthyNamingItWithAnEntryPerApplication()
    {
        var report = await CheckAsync(Synced("web"), Failing("shop", "SourceFailed"));

        report.Status.Should().Be(CheckStatus.Unhealthy);
        report.Description.Should().Contain("shop (SourceFailed)").And.NotContain("web");
        report.Data.Keys.Should().BeEquivalentTo(["web", "shop"]);
        Entry(report, "web").Should().Contain("sync", "Synced").And.Contain("health", "Healthy").And.Contain("reason", "ReconciliationSucceeded");
        Entry(report, "shop").Should().Contain("sync", "Failed").And.Contain("health", "Unknown").And.Contain("reason", "SourceFailed");
    }

    [Fact]
    public async Task CheckHealth_FailingApplicationWithCredentialsInItsError_ReportsNeitherMessageNorSource()
    {
        var failing = Failing("shop", "SourceFailed") with
        {
            Source = "https://git.example.com/shop.git",
            LastError = "shop: fetch https://user:s3cr3t-token@git.example.com/shop.git failed",
        };

        var report = await CheckAsync(failing);

        var text = report.Description + string.Join(";", Entry(report, "shop").Select(p => p.Key + "=" + p.Value));
        text.Should().NotContain("s3cr3t-token").And.NotContain("git.example.com").And.NotContain("fetch");
    }

    [Fact]
    public async Task CheckHealth_OutOfSyncLongerThanTheThreshold_Degraded()
    {
        var report = await CheckAsync([Synced("web"), OutOfSync("shop", since: Now - TimeSpan.FromMinutes(6))]);

        report.Status.Should().Be(CheckStatus.Degraded);
        report.Description.Should().Contain("shop").And.NotContain("web");
        Entry(report, "shop").Should().Contain("sync", "OutOfSync").And.ContainKey("outOfSyncSince");
    }

    [Fact]
    public async Task CheckHealth_OutOfSyncShorterThanTheThreshold_Healthy()
    {
        var report = await CheckAsync([OutOfSync("shop", since: Now - TimeSpan.FromMinutes(4))]);

        report.Status.Should().Be(CheckStatus.Healthy);
    }

    [Fact]
    public async Task CheckHealth_ConfiguredThreshold_IsUsed()
    {
        var report = await CheckAsync([OutOfSync("shop", since: Now - TimeSpan.FromMinutes(2))], o => o.OutOfSyncThreshold = TimeSpan.FromMinutes(1));

        report.Status.Should().Be(CheckStatus.Degraded);
    }

    [Fact]
    public async Task CheckHealth_SuspendedApplicationsFailingOrOutOfSync_HealthyAndListed()
    {
        var report = await CheckAsync(
            Failing("shop", "ApplyFailed") with { Suspended = true },
            OutOfSync("web", since: Now - TimeSpan.FromHours(1)) with { Suspended = true });

        report.Status.Should().Be(CheckStatus.Healthy);
        Entry(report, "shop").Should().Contain("suspended", "true").And.Contain("sync", "Failed");
        Entry(report, "web").Should().Contain("suspended", "true");
    }

    [Fact]
    public void AddGitOpsHealthChecks_NegativeThreshold_FailsValidationNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddGitOpsHealthChecks(o => o.OutOfSyncThreshold = TimeSpan.FromSeconds(-1));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<GitOpsHealthCheckOptions>>().Get("gitops");

        act.Should().Throw<OptionsValidationException>().WithMessage("*OutOfSyncThreshold must not be negative*");
    }

    private static Task<HealthReport> CheckAsync(params ApplicationStatus[] statuses) => CheckAsync(statuses, null);

    private static async Task<HealthReport> CheckAsync(ApplicationStatus[] statuses, Action<GitOpsHealthCheckOptions>? configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        services.AddSingleton<IGitOpsController>(new StubController(statuses));
        services.AddHealthChecks().AddGitOpsHealthChecks(configure);
        await using var provider = services.BuildServiceProvider();
        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["gitops"];
        return new HealthReport(entry.Status, entry.Description, entry.Data);
    }

    private static IReadOnlyDictionary<string, string> Entry(HealthReport report, string application) =>
        (IReadOnlyDictionary<string, string>)report.Data[application];

    private static ApplicationStatus Synced(string name) => new()
    {
        Name = name,
        LastAppliedRevision = "main@sha1:1",
        Health = new HealthResult(Sdk.HealthStatus.Healthy),
        Conditions =
        [
            new StatusCondition(ConditionTypes.Ready, ConditionStatus.True, "ReconciliationSucceeded", "Applied", Now - TimeSpan.FromHours(1)),
            new StatusCondition(ConditionTypes.Drifted, ConditionStatus.False, "InSync", "Live state matches desired state", Now - TimeSpan.FromHours(1)),
        ],
    };

    private static ApplicationStatus Failing(string name, string reason) => new()
    {
        Name = name,
        ConsecutiveFailures = 2,
        LastError = $"{name}: {reason}",
        LastErrorStage = ReconcileStage.Source,
        Conditions = [new StatusCondition(ConditionTypes.Ready, ConditionStatus.False, reason, $"{name} failed", Now - TimeSpan.FromMinutes(1))],
    };

    private static ApplicationStatus OutOfSync(string name, DateTimeOffset since) => Synced(name) with
    {
        Conditions =
        [
            new StatusCondition(ConditionTypes.Ready, ConditionStatus.False, "DriftDetected", "1 object(s) differ", since),
            new StatusCondition(ConditionTypes.Drifted, ConditionStatus.True, "DriftDetected", "1 object(s) differ", since),
        ],
    };

    private sealed record HealthReport(CheckStatus Status, string? Description, IReadOnlyDictionary<string, object> Data);

    private sealed class StubController(IReadOnlyList<ApplicationStatus> statuses) : IGitOpsController
    {
        public IObservable<ReconcileEvent> Events => throw new NotSupportedException();

        public IReadOnlyList<string> Applications => [.. statuses.Select(static s => s.Name)];

        public ApplicationStatus? GetStatus(string application) => statuses.FirstOrDefault(s => s.Name == application);

        public IReadOnlyList<ApplicationStatus> GetAll() => statuses;

        public ApplicationDefinition? GetDefinition(string application) => throw new NotSupportedException();

        public IReadOnlyList<ApplicationDefinition> GetDefinitions() => throw new NotSupportedException();

        public bool RequestReconcile(string application) => throw new NotSupportedException();

        public int NotifySourceChanged(string sourceUrl) => throw new NotSupportedException();

        public Task<ReconcileResult> ReconcileAsync(string application, CancellationToken cancellationToken) => throw new NotSupportedException();

        public bool Suspend(string application) => throw new NotSupportedException();

        public bool Resume(string application) => throw new NotSupportedException();

        public bool Approve(string application, string planHash) => throw new NotSupportedException();
    }
}
