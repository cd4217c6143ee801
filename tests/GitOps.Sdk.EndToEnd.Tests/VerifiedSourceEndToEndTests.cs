using GitOps.Sdk.Git;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>Verified sources through the real host: commits signed by real <c>ssh-keygen</c> keys, the API emulator as the cluster.</summary>
public sealed class VerifiedSourceEndToEndTests
{
    [Fact]
    public async Task RevisionSignedByUntrustedKeyAfterGoodOne_IsRefused_PreviousGoodStateStays()
    {
        await using var signers = GitSigners.Create();
        var trusted = await signers.NewSshKeyAsync();
        var stranger = await signers.NewSshKeyAsync();
        await using var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { Source = a.Source! with { Properties = new Dictionary<string, string> { [GitSourceProperties.Verification] = "release" } } },
            builder: b => b.AddGitSource(o => o.Verification["release"] = new GitVerificationOptions
            {
                Mode = GitVerificationMode.Head,
                AllowedSigners = trusted.AllowedSignersLine(),
            }));
        var good = await env.Repo.CommitSignedAndPushAsync("signed desired state", trusted.Signing);

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        env.Completed[0].Revision.Should().Be($"main@sha1:{good}");
        env.ConfigValue().Should().Be("Hello from Git");

        // A push by someone whose key is not trusted: a changed value and a removed Service.
        env.Repo.Write("deploy/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  GREETING: \"defaced\"\n");
        env.Repo.Delete("deploy/service.yaml");
        var bad = await env.Repo.CommitSignedAndPushAsync("not from a release key", stranger.Signing);
        env.Controller.NotifySourceChanged(env.SourceUrl).Should().Be(1);
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Any(c => c.Revision?.Contains(bad, StringComparison.Ordinal) == true), $"commit {bad} was attempted");

        env.Completed[^1].Outcome.Should().Be(ReconcileOutcome.Failed);
        env.ConfigValue().Should().Be("Hello from Git", "nothing from a refused revision is applied");
        env.Exists("v1", "Service", "web").Should().BeTrue("nothing is pruned for a refused revision");
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastAppliedRevision.Should().Be($"main@sha1:{good}");
        status.LastAttemptedRevision.Should().Be($"main@sha1:{bad}");
        status.LastErrorStage.Should().Be(ReconcileStage.Source);
        status.LastError.Should().Contain($"application '{EndToEndEnvironment.App}'").And.Contain($"main@sha1:{bad}")
            .And.Contain(stranger.Fingerprint).And.Contain("not in the allowed signers");
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        inventory!.Revision.Should().Be($"main@sha1:{good}");
        inventory.Entries.Should().HaveCount(4);
    }
}
