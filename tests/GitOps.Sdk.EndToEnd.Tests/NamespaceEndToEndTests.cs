using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>The target namespace: created by the application when asked, a clear error and a quick retry when not.</summary>
public sealed class NamespaceEndToEndTests
{
    [Fact]
    public async Task CreateNamespace_TargetMissing_CreatedFirstOwnedAndInInventory()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(app => app with { CreateNamespace = true });
        env.Repo.Delete("deploy/namespace.yaml");
        await env.Repo.CommitAndPushAsync("the source no longer declares its namespace");

        await env.StartAsync();

        var first = env.Completed[0];
        first.Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        var ns = env.Api.Get("v1", "Namespace", null, EndToEndEnvironment.Namespace);
        ns.Should().NotBeNull();
        ((string?)ns!["metadata"]!["labels"]![WellKnown.ApplicationLabel]).Should().Be(EndToEndEnvironment.App, "the created namespace is marked like every other object");
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        inventory!.Entries.Select(e => e.Key).Should().Contain(new ResourceKey(string.Empty, "Namespace", string.Empty, EndToEndEnvironment.Namespace));
    }

    [Fact]
    public async Task TargetMissing_WithoutCreateNamespace_FailsNamingTheOption_AndRetriesAsSoonAsItAppears()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        env.Repo.Delete("deploy/namespace.yaml");
        await env.Repo.CommitAndPushAsync("the source no longer declares its namespace");

        await env.StartAsync();

        var first = env.Completed[0];
        first.Outcome.Should().Be(ReconcileOutcome.Failed);
        var error = env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError;
        error.Should().Contain($"namespace {EndToEndEnvironment.Namespace} does not exist").And.Contain("CreateNamespace").And.Contain("--create-namespace");

        // Someone creates the namespace; the retry delay is an hour, so only the namespace watch can bring the reconcile back.
        await env.Api.ApplyAsAsync("kubectl", $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {EndToEndEnvironment.Namespace}\n");
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Any(c => c.Outcome == ReconcileOutcome.Applied), "the reconcile came back once the namespace appeared");

        env.Completed.First(c => c.Outcome == ReconcileOutcome.Applied).Trigger.Should().Be(ReconcileTrigger.LiveChange);
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
    }
}
