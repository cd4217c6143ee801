using System.Collections.Immutable;
using System.Reflection;
using GitOps.Sdk.Helm.Rendering;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Helm.Tests.Rendering;

/// <summary>The Helm settings live in the Helm package, travel in <see cref="RenderOptions.RendererOptions"/> and still come from appsettings.json.</summary>
public sealed class HelmRenderOptionsTests : IDisposable
{
    private readonly TempDirectory _temp = new("helm-options");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddGitOps_ConfigurationWithHelmKeys_ReachHelmTemplate()
    {
        var helm = TestPaths.RequireTool("helm");
        await ProcessRunner.RunCheckedAsync(helm, ["create", "web"], _temp.Path, new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = _temp.Combine(".helm/cache"),
            ["HELM_CONFIG_HOME"] = _temp.Combine(".helm/config"),
            ["HELM_DATA_HOME"] = _temp.Combine(".helm/data"),
        });
        _temp.WriteFile("values/prod.yaml", "replicaCount: 2\nimage:\n  tag: from-file\n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitOps:Applications:shop:Source"] = "https://git.example.com/shop.git",
            ["GitOps:Applications:shop:Renderer"] = "helm",
            ["GitOps:Applications:shop:ReleaseName"] = "front",
            ["GitOps:Applications:shop:ValueFiles:0"] = "../values/prod.yaml",
            ["GitOps:Applications:shop:Values"] = "replicaCount: 5",
        }).Build();
        var services = new ServiceCollection();
        services.AddGitOps(configuration).AddHelmRenderer(o => o.HelmPath = helm);
        using var provider = services.BuildServiceProvider();
        var application = provider.GetRequiredService<IOptions<GitOpsOptions>>().Value.Applications.Single();
        var artifact = new SourceArtifact
        {
            Source = application.GetEffectiveSource(),
            Revision = "main@sha1:0123456789abcdef0123456789abcdef01234567",
            Digest = "sha256:2222",
            RootDirectory = _temp.Path,
            Path = "web",
        };

        var result = await provider.GetRequiredService<IRenderStage>().RenderAsync(artifact, application.ToRenderOptions(), default);

        result.Errors.Should().BeEmpty();
        var deployment = result.State.Objects.Single(o => o.Kind == "Deployment");
        deployment.Name.Should().Be("front-web", "the release name comes from configuration");
        deployment.Json.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(5, "inline values win over the value file");
        deployment.Json.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].GetProperty("image").GetString()
            .Should().Be("nginx:from-file");
    }

    [Fact]
    public void Bind_HelmSection_ReadsEverySettingAndWinsOverTheApplicationKeys()
    {
        var errors = new List<string>();

        var bound = new HelmRenderOptionsBinder().Bind(
            Section(new()
            {
                ["ReleaseName"] = "old",
                ["Values"] = "a: 1",
                ["ValueFiles:0"] = "base.yaml",
                ["Helm:ReleaseName"] = "new",
                ["Helm:ValueFiles:0"] = "prod.yaml",
                ["Helm:IncludeCrds"] = "false",
                ["Helm:ApplyHooks"] = "true",
                ["Helm:KubeVersion"] = "1.31.0",
                ["Helm:ApiVersions:0"] = "example.com/v1",
            }),
            current: null,
            errors);

        errors.Should().BeEmpty();
        var expected = new HelmRenderOptions
        {
            ReleaseName = "new",
            Values = "a: 1",
            ValueFiles = ["base.yaml", "prod.yaml"],
            IncludeCrds = false,
            ApplyHooks = true,
            KubeVersion = "1.31.0",
            ApiVersions = ["example.com/v1"],
        };
        bound.Should().BeOfType<HelmRenderOptions>().Which.CacheKey.Should().Be(expected.CacheKey);
    }

    [Fact]
    public void Bind_NoHelmKeys_ReturnsNullAndBadBooleanNamesItsPath()
    {
        var binder = new HelmRenderOptionsBinder();
        var errors = new List<string>();

        binder.Bind(Section(new() { ["Namespace"] = "shop" }), current: null, errors).Should().BeNull();
        binder.Bind(Section(new() { ["Helm:ApplyHooks"] = "sometimes" }), current: null, errors).Should().BeNull();

        errors.Should().ContainSingle().Which.Should().Be("GitOps:Applications:shop:Helm:ApplyHooks: 'sometimes' is not true or false.");
    }

    /// <summary>A setting missing from the cache key would let the render cache serve a render made with other settings.</summary>
    [Fact]
    public void CacheKey_AnySettingChanged_Differs()
    {
        var original = new HelmRenderOptions { ReleaseName = "r", ValueFiles = ["a.yaml"], Values = "x: 1", KubeVersion = "1.30.0", ApiVersions = ["v1"] };
        var settings = typeof(HelmRenderOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        settings.Should().HaveCount(7);

        foreach (var property in settings)
        {
            var changed = original with { };
            var value = property.GetValue(original);
            property.SetValue(changed, value switch
            {
                string s => s + "x",
                bool b => !b,
                ImmutableArray<string> list => list.Add("x"),
                _ => throw new InvalidOperationException($"HelmRenderOptions.{property.Name} has a type this test cannot change: add a case."),
            });

            changed.CacheKey.Should().NotBe(original.CacheKey, property.Name);
        }

        (original with { ValueFiles = ["a.yaml"] }).CacheKey.Should().Be(original.CacheKey, "equal content in a fresh array is the same setting");
        new RenderOptions().GetHelmOptions().Should().BeSameAs(HelmRenderOptions.Default);
        new RenderOptions().WithHelm(h => h with { Values = "y: 2" }).GetHelmOptions().Values.Should().Be("y: 2");
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.ToDictionary(p => "GitOps:Applications:shop:" + p.Key, p => p.Value))
            .Build()
            .GetSection("GitOps:Applications:shop");
}
