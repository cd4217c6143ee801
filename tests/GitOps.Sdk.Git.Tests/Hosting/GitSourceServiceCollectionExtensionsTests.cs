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
    public void AddGitSource_ValidOptions_PassValidationAndReachTheProvider()
    {
        var services = new ServiceCollection();
        new Builder(services).AddGitSource(o =>
        {
            o.ExportsToKeep = 3;
            o.Credentials["github.com"] = new SourceCredentials { BearerToken = "token" };
        });
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        // The validator ran and accepted these options (an invalid value of the same option is refused above) ...
        var validators = provider.GetServices<IValidateOptions<GitSourceOptions>>().ToList();
        validators.Should().NotBeEmpty("AddGitSource registers the options validator");
        var options = provider.GetRequiredService<IOptions<GitSourceOptions>>().Value;
        validators.Select(v => v.Validate(Options.DefaultName, options)).Should().OnlyContain(r => r.Succeeded);
        options.ExportsToKeep.Should().Be(3);
        options.Credentials.Should().ContainKey("github.com");

        // ... and the registered provider handles git URLs with them.
        var git = provider.GetServices<ISourceProvider>().Should().ContainSingle().Subject;
        git.CanHandle(new SourceReference { Url = "https://github.com/example/repo.git" }).Should().BeTrue();
        git.CanHandle(new SourceReference { Url = "oci://registry.example/app" }).Should().BeFalse();
    }

    private sealed class Builder(IServiceCollection services) : IGitOpsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
