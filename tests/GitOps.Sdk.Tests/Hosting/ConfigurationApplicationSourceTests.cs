using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Hosting;

/// <summary>
/// Applications from the <c>GitOps</c> section of an <c>appsettings.json</c> file follow the file when the configuration
/// reloads (here <see cref="IConfigurationRoot.Reload"/>, so each step is deterministic; the end-to-end test uses the
/// file watcher).
/// </summary>
public sealed class ConfigurationApplicationSourceTests
{
    [Fact]
    public async Task Reload_AddsChangesAndRemovesApplications_AndABadValueRefusesOnlyItsApplication()
    {
        using var temp = new TempDirectory("gitops-config-reload");
        var file = temp.Combine("appsettings.json");
        Write(file, ("web", "\"Interval\": \"5m\""));
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();
        await using var h = Create(applications: 0, services: s => s.AddGitOps(configuration));
        h.Source.Commit("memory://web", Files(("w.yaml", ConfigMap("w", "web"))));
        h.Source.Commit("memory://api", Files(("a.yaml", ConfigMap("a", "api"))));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the configured application was reconciled");
        h.Value("w").Should().Be("web");
        h.Controller.Applications.Should().Equal("web");

        // Add one, change the other.
        Write(file, ("web", "\"Interval\": \"10m\""), ("api", "\"Interval\": \"5m\""));
        configuration.Reload();

        h.Controller.Applications.Should().BeEquivalentTo("web", "api");
        h.Controller.GetDefinition("web")!.Interval.Should().Be(TimeSpan.FromMinutes(10));
        h.EventsOf<ApplicationChanged>().Should().ContainSingle().Which.Should().BeEquivalentTo(new { Application = "web", Source = "options" });
        h.EventsOf<ApplicationAdded>().Should().ContainSingle().Which.Application.Should().Be("api");
        await WaitUntilAsync(() => h.EventsOf<ReconcileCompleted>().Any(e => e.Application == "api"), "the added application was reconciled");
        h.Value("a").Should().Be("api");
        await WaitUntilAsync(() => h.EventsOf<ReconcileCompleted>().Count(e => e.Application == "web") == 2, "the changed application reconciled again");
        h.EventsOf<ReconcileCompleted>().Where(e => e.Application == "web").Select(e => e.Trigger).Should().Equal(ReconcileTrigger.Startup, ReconcileTrigger.ApplicationChanged);

        // A value that does not parse refuses that application alone; it keeps its previous definition. Removing the
        // other stops it and prunes nothing.
        var apiRuntime = h.RuntimeOf("api");
        Write(file, ("api", "\"Interval\": \"banana\""));
        configuration.Reload();

        h.Controller.Applications.Should().Equal("api");
        h.Controller.GetDefinition("api")!.Interval.Should().Be(TimeSpan.FromMinutes(5));
        h.RuntimeOf("api").Should().BeSameAs(apiRuntime);
        var refused = h.EventsOf<ApplicationRefused>().Should().ContainSingle().Subject;
        refused.Should().BeEquivalentTo(new { Application = "api", Source = "options", KeptPrevious = true });
        refused.Reasons.Should().ContainSingle().Which.Should().Be("GitOps:Applications:api:Interval: 'banana' is not a duration (examples: 00:05:00, 5m, 30s, 1h).");
        h.EventsOf<ApplicationRemoved>().Should().ContainSingle().Which.Application.Should().Be("web");
        h.Value("w").Should().Be("web", "a removed application's objects stay");

        // Fixed: the change goes through.
        Write(file, ("api", "\"Interval\": \"7m\""));
        configuration.Reload();
        h.Controller.GetDefinition("api")!.Interval.Should().Be(TimeSpan.FromMinutes(7));
        h.EventsOf<ApplicationChanged>().Select(e => e.Application).Should().Equal("web", "api");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task StartUp_StaysStrict_AnInvalidConfiguredApplicationFailsValidation()
    {
        using var temp = new TempDirectory("gitops-config-reload");
        var file = temp.Combine("appsettings.json");
        Write(file, ("web", "\"Interval\": \"banana\""));
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();

        var create = () => Create(applications: 0, services: s => s.AddGitOps(configuration));

        create.Should().Throw<GitOpsConfigurationException>().Which.Message.Should().Contain("GitOps:Applications:web:Interval: 'banana' is not a duration");
    }

    private static void Write(string file, params (string Name, string Settings)[] applications)
    {
        var apps = string.Join(",\n", applications.Select(a => $$"""
                "{{a.Name}}": { "Source": "memory://{{a.Name}}", "Ref": "main", "Namespace": "shop", {{a.Settings}} }
            """));
        File.WriteAllText(file, $$"""
            { "GitOps": { "Applications": {
            {{apps}}
            } } }
            """);
    }
}
