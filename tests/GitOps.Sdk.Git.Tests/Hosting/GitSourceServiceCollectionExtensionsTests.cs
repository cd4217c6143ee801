using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Git.Tests.Hosting;

public sealed class GitSourceServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGitSource_CalledTwice_RegistersOneProviderAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        var builder = new Builder(services);

        builder.AddGitSource(o => o.ExportsToKeep = 7).AddGitSource(o => o.Ignore.Add("*.md"));
        using var provider = services.BuildServiceProvider();

        var sources = provider.GetServices<ISourceProvider>().ToList();
        sources.Should().ContainSingle().Which.Should().BeOfType<GitSourceProvider>();
        sources[0].Should().BeSameAs(provider.GetRequiredService<GitSourceProvider>());
        var options = provider.GetRequiredService<IOptions<GitSourceOptions>>().Value;
        options.ExportsToKeep.Should().Be(7);
        options.Ignore.Should().Equal("*.md");
    }

    [Fact]
    public void AddGitSource_InvalidOptions_FailValidationAtStart()
    {
        var services = new ServiceCollection();
        new Builder(services).AddGitSource(o =>
        {
            o.ExportsToKeep = 0;
            o.Credentials["both"] = new SourceCredentials { Password = "x", BearerToken = "y" };
        });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("ExportsToKeep").And.Contain("both");
    }

    [Fact]
    public void AddGitSource_ValidOptions_PassValidation()
    {
        var services = new ServiceCollection();
        new Builder(services).AddGitSource();
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().NotThrow();
    }

    private sealed class Builder(IServiceCollection services) : IGitOpsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
