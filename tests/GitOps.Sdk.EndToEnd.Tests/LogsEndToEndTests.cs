using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>What an operator reads in the logs when the cluster fails a call: the real Kubernetes target over HTTP, the API emulator answering 503.</summary>
public sealed class LogsEndToEndTests
{
    [Fact]
    public async Task Reconcile_ApiServerAnswers503_OneWarningNamingTheCallWithoutStackTrace()
    {
        var logs = new CapturingLoggerProvider();
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b =>
        {
            b.Services.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
            b.Services.Configure<KubernetesTargetOptions>(o => o.MaxRetries = 0);
        });
        var head = await env.Repo.HeadAsync();
        env.Api.Faults.Add(new FaultRule { Verb = "get", Name = "gitops-inventory-" + EndToEndEnvironment.App, StatusCode = 503, Message = "etcd is busy" });

        var result = await env.Controller.ReconcileAsync(EndToEndEnvironment.App, default);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.Error.Should().Contain("reading the inventory of application 'storefront' failed").And.NotContain("unexpected");
        var routine = logs.Entries.Should().ContainSingle(e => e.EventId.Id == 18, "a routine failure is logged as StageFailedRoutine").Subject;
        routine.Level.Should().Be(LogLevel.Warning);
        routine.Message.Should().Contain("(KubernetesApiException)").And.Contain("reading the inventory of application 'storefront' failed").And.Contain("503");
        routine.ScopeProperties.Should().Contain("Application", EndToEndEnvironment.App).And.Contain("Revision", $"main@sha1:{head}");
        logs.Entries.Should().NotContain(e => e.Exception != null, "no stack trace for a failure the next reconcile retries");
        logs.Entries.Should().NotContain(e => e.Level >= LogLevel.Error);
    }
}
