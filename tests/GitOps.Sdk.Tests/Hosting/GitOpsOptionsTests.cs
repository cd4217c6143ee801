using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Tests.Hosting;

public sealed class GitOpsOptionsTests
{
    private static GitOpsOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddGitOps(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<GitOpsOptions>>().Value;
    }

    [Fact]
    public void AddGitOps_Configuration_BindsApplicationsByName()
    {
        var options = Bind(new()
        {
            ["GitOps:MaxConcurrentReconciles"] = "2",
            ["GitOps:FieldManager"] = "platform",
            ["GitOps:IgnoreRules:0:Kind"] = "Deployment",
            ["GitOps:IgnoreRules:0:JsonPointers:0"] = "/spec/replicas",
            ["GitOps:Applications:shop:Source"] = "https://git.example.com/shop.git",
            ["GitOps:Applications:shop:Ref"] = "main",
            ["GitOps:Applications:shop:Path"] = "apps/shop",
            ["GitOps:Applications:shop:Namespace"] = "shop",
            ["GitOps:Applications:shop:Interval"] = "2m",
            ["GitOps:Applications:shop:Prune"] = "false",
            ["GitOps:Applications:shop:Mode"] = "DetectOnly",
            ["GitOps:Applications:shop:WaitForHealth"] = "true",
            ["GitOps:Applications:shop:HealthTimeout"] = "00:01:30",
            ["GitOps:Applications:shop:WaveHealthGate"] = "true",
            ["GitOps:Applications:shop:WaveHealthTimeout"] = "45s",
            ["GitOps:Applications:shop:HookTimeout"] = "15m",
            ["GitOps:Applications:shop:IgnoreRules:0:ManagedFieldsManagers:0"] = "hpa-controller",
            ["GitOps:Applications:charts:Source:Url"] = "https://charts.example.com",
            ["GitOps:Applications:charts:Source:Type"] = "helm",
            ["GitOps:Applications:charts:Source:Chart"] = "web",
            ["GitOps:Applications:charts:Source:Ref"] = "^1.4",
            ["GitOps:Applications:charts:Renderer"] = "helm",
        });

        options.MaxConcurrentReconciles.Should().Be(2);
        options.FieldManager.Should().Be("platform");
        options.IgnoreRules.Should().ContainSingle().Which.JsonPointers.Should().Equal("/spec/replicas");
        options.Applications.Select(a => a.Name).Should().BeEquivalentTo("shop", "charts");
        var shop = options.Applications.Single(a => a.Name == "shop");
        shop.Source!.Url.Should().Be("https://git.example.com/shop.git");
        shop.Source.Ref.Should().Be("main");
        shop.GetEffectiveSource().Path.Should().Be("apps/shop");
        shop.Namespace.Should().Be("shop");
        shop.Interval.Should().Be(TimeSpan.FromMinutes(2));
        shop.Prune.Should().BeFalse();
        shop.Mode.Should().Be(ReconcileMode.DetectOnly);
        shop.WaitForHealth.Should().BeTrue();
        shop.HealthTimeout.Should().Be(TimeSpan.FromSeconds(90));
        shop.WaveHealthGate.Should().BeTrue();
        shop.WaveHealthTimeout.Should().Be(TimeSpan.FromSeconds(45));
        shop.HookTimeout.Should().Be(TimeSpan.FromMinutes(15));
        options.Applications.Single(a => a.Name == "charts").Should().Match<ApplicationDefinition>(
            a => !a.WaveHealthGate && a.WaveHealthTimeout == TimeSpan.FromMinutes(5) && a.HookTimeout == TimeSpan.FromMinutes(10), "the defaults");
        shop.IgnoreRules.Should().ContainSingle().Which.ManagedFieldsManagers.Should().Equal("hpa-controller");
        var charts = options.Applications.Single(a => a.Name == "charts");
        charts.Source!.Type.Should().Be("helm");
        charts.Source.Chart.Should().Be("web");
        charts.ToRenderOptions().ApplicationName.Should().Be("charts");
    }

    [Fact]
    public void AddGitOps_Configuration_RegisteredRendererBindersReadTheirOwnKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitOps:Applications:lib:Source"] = "https://git.example.com/lib.git",
            ["GitOps:Applications:lib:Jsonnet:Library"] = "vendor",
            ["GitOps:Applications:plain:Source"] = "https://git.example.com/plain.git",
        }).Build();
        var services = new ServiceCollection();

        // The binder is registered after AddGitOps, as a renderer package's AddXxxRenderer() would be.
        services.AddGitOps(configuration);
        services.AddSingleton<IRendererOptionsBinder, LibraryBinder>();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<GitOpsOptions>>().Value;

        var lib = options.Applications.Single(a => a.Name == "lib").ToRenderOptions();
        lib.GetRendererOptions<LibraryOptions>("jsonnet").Should().Be(new LibraryOptions("vendor"));
        lib.GetRendererOptions<LibraryOptions>("JSONNET").Should().Be(new LibraryOptions("vendor"), "renderer names are compared without regard to case");
        options.Applications.Single(a => a.Name == "plain").RendererOptions.Should().BeEmpty();
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_FailsNamingApplicationAndField()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitOps:Applications:shop:Interval"] = "soon",
            ["GitOps:Applications:Bad_Name:Source"] = "https://git.example.com/x.git",
            ["GitOps:Applications:web:Source"] = "https://git.example.com/web.git",
            ["GitOps:Applications:web:MinRetryDelay"] = "10m",
            ["GitOps:Applications:web:MaxRetryDelay"] = "1m",
            ["GitOps:Applications:web:Mode"] = "Sometimes",
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGitOps(configuration);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<GitOpsConfigurationException>()).Which;
        error.Errors.Should().Contain(f => f.Contains("GitOps:Applications:shop:Interval") && f.Contains("'soon'"));
        error.Errors.Should().Contain(f => f.Contains("'shop'") && f.Contains("Source.Url is required"));
        error.Errors.Should().Contain(f => f.Contains("'Bad_Name'") && f.Contains("DNS label"));
        error.Errors.Should().Contain(f => f.Contains("'web'") && f.Contains("MaxRetryDelay"));
        error.Errors.Should().Contain(f => f.Contains("GitOps:Applications:web:Mode") && f.Contains("Sometimes"));
    }

    [Fact]
    public void AddGitOps_Twice_RegistersServicesOnce()
    {
        var services = new ServiceCollection();
        services.AddGitOps();
        var count = services.Count;

        services.AddGitOps();

        services.Count(d => d.ServiceType == typeof(IHostedService)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IGitOpsController)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<GitOpsOptions>)).Should().Be(1);
        services.Count.Should().BeLessThanOrEqualTo(count + 1, "only the options configuration may repeat");
    }

    [Fact]
    public void Validate_DuplicateNamesAndBadIgnoreRule_Fail()
    {
        var options = new GitOpsOptions();
        options.Applications.Add(new ApplicationDefinition { Name = "a", Source = new SourceReference { Url = "memory://a" } });
        var second = new ApplicationDefinition { Name = "a", Source = new SourceReference { Url = "memory://a" }, IgnoreRules = [new IgnoreRule { JsonPointers = ["spec/replicas"] }] };
        options.Applications.Add(second);

        var result = new GitOpsOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().Contain(f => f.Contains("'a'") && f.Contains("more than one"));
        result.Failures.Should().Contain(f => f.Contains("IgnoreRules[0]") && f.Contains("must start with '/'"));
    }

    [Fact]
    public void Validate_WaveAndHookTimeoutsNotPositive_Fail()
    {
        var options = new GitOpsOptions();
        options.Applications.Add(new ApplicationDefinition { Name = "a", Source = new SourceReference { Url = "memory://a" }, WaveHealthGate = true, WaveHealthTimeout = TimeSpan.Zero, HookTimeout = TimeSpan.FromSeconds(-1) });
        options.Applications.Add(new ApplicationDefinition { Name = "b", Source = new SourceReference { Url = "memory://b" }, WaveHealthTimeout = TimeSpan.Zero });

        var result = new GitOpsOptionsValidator().Validate(null, options);

        result.Failures.Should().BeEquivalentTo(
            "GitOps application 'a': WaveHealthTimeout must be positive when WaveHealthGate is set (was 00:00:00).",
            "GitOps application 'a': HookTimeout must be positive (was -00:00:01).");
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("00:00:10", 10)]
    [InlineData("500ms", 0.5)]
    public void TryParseDuration_GoAndDotNetForms_Parse(string text, double seconds)
    {
        GitOpsConfigurationBinder.TryParseDuration(text, out var value).Should().BeTrue();
        value.TotalSeconds.Should().Be(seconds);
    }

    private sealed record LibraryOptions(string Library) : IRendererOptions
    {
        public string CacheKey => Library;
    }

    private sealed class LibraryBinder : IRendererOptionsBinder
    {
        public string Renderer => "jsonnet";

        public IRendererOptions? Bind(IConfigurationSection application, IRendererOptions? current, ICollection<string> errors) =>
            application["Jsonnet:Library"] is { } library ? new LibraryOptions(library) : null;
    }
}
