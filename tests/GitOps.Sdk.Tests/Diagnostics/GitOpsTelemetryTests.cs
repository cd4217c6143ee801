using System.Diagnostics.Metrics;
using GitOps.Sdk.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.Tests.Diagnostics;

public sealed class GitOpsTelemetryTests
{
    [Fact]
    public void AddGitOps_TelemetryAndRenderStage_UseOneMeterMadeByTheContainersFactory()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddGitOps();
        services.AddGitOps();
        using var provider = services.BuildServiceProvider();

        var telemetry = provider.GetRequiredService<GitOpsTelemetry>();

        services.Count(d => d.ServiceType == typeof(GitOpsTelemetry)).Should().Be(1);
        telemetry.Meter.Name.Should().Be("GitOps.Sdk");
        telemetry.Meter.Scope.Should().BeSameAs(provider.GetRequiredService<IMeterFactory>());
        provider.GetRequiredService<RenderStage>().Meter.Should().BeSameAs(telemetry.Meter);
        telemetry.ActivitySource.Name.Should().Be("GitOps.Sdk");
    }

    [Fact]
    public void AddGitOps_ContainerWithoutMeterFactory_UsesTheSharedFallback()
    {
        var services = new ServiceCollection();
        services.AddGitOps();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<GitOpsTelemetry>().Should().BeSameAs(GitOpsTelemetry.Shared);
        provider.GetRequiredService<RenderStage>().Meter.Should().BeSameAs(GitOpsTelemetry.Shared.Meter);
    }

    [Fact]
    public void RenderStage_ConstructedWithoutContainer_UsesTheSharedFallback()
    {
        var stage = new RenderStage([], []);

        stage.Meter.Should().BeSameAs(GitOpsTelemetry.Shared.Meter);
        GitOpsTelemetry.Shared.Meter.Scope.Should().BeNull();
        GitOpsTelemetry.Shared.ActivitySource.Should().BeSameAs(new GitOpsTelemetry(new NoFactory()).ActivitySource);
    }

    private sealed class NoFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
