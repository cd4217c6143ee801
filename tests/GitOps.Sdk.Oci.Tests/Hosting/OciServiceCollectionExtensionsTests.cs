using GitOps.Sdk.Oci.Distribution;
using GitOps.Sdk.Oci.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Oci.Tests.Hosting;

public sealed class OciServiceCollectionExtensionsTests
{
    [Fact]
    public void AddOciSource_CalledTwice_RegistersOneProviderWithConfiguredOptions()
    {
        var builder = new Builder();

        builder.AddOciSource(o => o.PlainHttpRegistries.Add("registry.local:5000")).AddOciSource();
        using var services = builder.Services.BuildServiceProvider(validateScopes: true);

        services.GetServices<ISourceProvider>().Should().ContainSingle().Which.Should().BeOfType<OciSourceProvider>();
        services.GetRequiredService<IOptions<OciOptions>>().Value.IsPlainHttp("registry.local:5000").Should().BeTrue();
        services.GetRequiredService<OciDistributionClient>().Should().BeSameAs(services.GetRequiredService<OciDistributionClient>());
    }

    private sealed class Builder : IGitOpsBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }
}
