using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// Applications added, changed and removed while the host runs, on the real engine: git daemon, Git source, Kubernetes
/// target over HTTP, the emulator; once from an <see cref="InMemoryApplicationSource"/>, once from an
/// <c>appsettings.json</c> file the configuration's file watcher reloads.
/// </summary>
public sealed class ApplicationSourceEndToEndTests
{
    private const string Extra = "extra";

    [Fact]
    public async Task InMemorySource_AddChangeRemove_WhileTheHostRuns()
    {
        var memory = new InMemoryApplicationSource();
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddApplicationSource(memory));
        await CommitExtraAsync(env);
        await env.StartAsync();

        memory.Set(ExtraApp(env));
        await EndToEndEnvironment.WaitUntilAsync(() => env.Exists("v1", "ConfigMap", "extra-settings"), "the added application created its ConfigMap");
        Label("extra-settings", WellKnown.ApplicationLabel).Should().Be(Extra);
        env.Controller.Applications.Should().Equal(EndToEndEnvironment.App, Extra);

        // Its objects are watched like a start-up application's: a deletion by hand is corrected.
        await EndToEndEnvironment.WaitUntilAsync(() => env.Controller.GetStatus(Extra)!.NextReconcileTime is not null, "the added application's first reconcile finished");
        (await env.Api.DeleteAsync("v1", "ConfigMap", "demo", "extra-settings")).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(
            () => env.Exists("v1", "ConfigMap", "extra-settings") && env.Completed.Any(c => c.Application == Extra && c.Trigger == ReconcileTrigger.LiveChange),
            "the deleted ConfigMap was recreated by a reconcile the watch event triggered");

        memory.Set(ExtraApp(env) with { CommonLabels = ExtraApp(env).CommonLabels.Add("team", "blue") });
        await EndToEndEnvironment.WaitUntilAsync(() => Label("extra-settings", "team") == "blue", "the changed definition was applied");
        env.EventsOf<ApplicationChanged>().Should().ContainSingle().Which.Application.Should().Be(Extra);

        memory.Remove(Extra).Should().BeTrue();
        env.EventsOf<ApplicationRemoved>().Should().ContainSingle().Which.Application.Should().Be(Extra);
        env.Controller.GetStatus(Extra).Should().BeNull();
        env.Exists("v1", "ConfigMap", "extra-settings").Should().BeTrue("removing an application prunes nothing");
        (await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(Extra, default)).Should().NotBeNull("its inventory stays in the cluster");
        env.EventsOf<Pruned>().Should().BeEmpty();
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue("the other application is untouched");

        string? Label(string name, string label) => (string?)env.Api.Get("v1", "ConfigMap", "demo", name)?["metadata"]?["labels"]?[label];
    }

    [Fact]
    public async Task AppSettingsJson_SavedWhileTheHostRuns_AddsRefusesAndRemovesApplications()
    {
        using var temp = new TempDirectory("gitops-appsettings");
        var file = temp.Combine("appsettings.json");
        await File.WriteAllTextAsync(file, "{}");
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: true).Build();
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.Services.AddGitOps(configuration));
        await CommitExtraAsync(env);
        await env.StartAsync();

        await SaveAsync(file, $$"""{ "GitOps": { "Applications": { "extra": { "Source": "{{env.SourceUrl}}", "Ref": "main", "Path": "extra", "Namespace": "demo", "Interval": "1h" } } } }""");
        await EndToEndEnvironment.WaitUntilAsync(() => env.Exists("v1", "ConfigMap", "extra-settings"), "the application added to appsettings.json created its ConfigMap");
        env.EventsOf<ApplicationAdded>().Should().ContainSingle().Which.Source.Should().Be("options");

        await SaveAsync(file, $$"""{ "GitOps": { "Applications": { "extra": { "Source": "{{env.SourceUrl}}", "Ref": "main", "Path": "extra", "Namespace": "demo", "Interval": "banana" } } } }""");
        await EndToEndEnvironment.WaitUntilAsync(() => env.EventsOf<ApplicationRefused>().Count > 0, "the bad value was refused");
        var refused = env.EventsOf<ApplicationRefused>()[0];
        refused.KeptPrevious.Should().BeTrue();
        refused.Reasons.Should().ContainSingle().Which.Should().Contain("GitOps:Applications:extra:Interval: 'banana' is not a duration");
        env.Controller.GetDefinition(Extra)!.Interval.Should().Be(TimeSpan.FromHours(1));

        await SaveAsync(file, "{}");
        await EndToEndEnvironment.WaitUntilAsync(() => env.EventsOf<ApplicationRemoved>().Count > 0, "the application removed from appsettings.json was stopped");
        env.Controller.Applications.Should().Equal(EndToEndEnvironment.App);
        env.Exists("v1", "ConfigMap", "extra-settings").Should().BeTrue("removing an application prunes nothing");
    }

    private static ApplicationDefinition ExtraApp(EndToEndEnvironment env) => new()
    {
        Name = Extra,
        Source = new SourceReference { Url = env.SourceUrl, Ref = "main" },
        Path = "extra",
        Namespace = EndToEndEnvironment.Namespace,
        Interval = TimeSpan.FromHours(1),
        MinRetryDelay = TimeSpan.FromHours(1),
        MaxRetryDelay = TimeSpan.FromHours(1),
    };

    private static async Task CommitExtraAsync(EndToEndEnvironment env)
    {
        env.Repo.Write("extra/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-settings\n  namespace: demo\ndata:\n  k: v\n");
        await env.Repo.CommitAndPushAsync("an application added later");
    }

    /// <summary>Saves the file as an editor would (write beside it, then rename over it), so the watcher never reads half a file.</summary>
    private static async Task SaveAsync(string file, string json)
    {
        var next = file + ".tmp";
        await File.WriteAllTextAsync(next, json);
        File.Move(next, file, overwrite: true);
    }
}
