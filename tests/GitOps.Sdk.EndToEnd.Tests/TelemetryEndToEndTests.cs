using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>The engine and its plugins report on one meter made by the host's <see cref="IMeterFactory"/> and one activity source.</summary>
public sealed class TelemetryEndToEndTests
{
    [Fact]
    public async Task Reconcile_EngineRenderAndGitInstruments_AreOnOneMeterFromTheHostsFactory()
    {
        var instruments = new List<Instrument>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GitOpsTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) => Record(instrument));
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Record(instrument));
        listener.Start();
        await using var env = await EndToEndEnvironment.CreateAsync();
        var factory = env.Host.Services.GetRequiredService<IMeterFactory>();

        await env.StartAsync();

        List<Instrument> fromHost;
        lock (instruments)
        {
            fromHost = [.. instruments.Where(i => ReferenceEquals(i.Meter.Scope, factory))];
        }

        fromHost.Select(i => i.Name).Should().Contain(
            ["gitops.reconcile.duration", "gitops.apply.objects", "gitops.render.duration", "gitops.render.cache.misses", "gitops.source.git.fetches"]);
        fromHost.Select(i => i.Meter).Distinct().Should().ContainSingle()
            .Which.Should().BeSameAs(env.Host.Services.GetRequiredService<GitOpsTelemetry>().Meter);

        void Record(Instrument instrument)
        {
            lock (instruments)
            {
                instruments.Add(instrument);
            }
        }
    }

    [Fact]
    public async Task Reconcile_EverySpan_ComesFromOneActivitySource()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GitOpsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var env = await EndToEndEnvironment.CreateAsync();

        await env.StartAsync();

        List<Activity> seen;
        lock (activities)
        {
            seen = [.. activities];
        }

        seen.Select(a => a.OperationName).Should().Contain(["gitops.reconcile", "gitops.source.fetch", "gitops.render", "gitops.apply"]);
        seen.Select(a => a.Source).Distinct().Should().ContainSingle()
            .Which.Should().BeSameAs(env.Host.Services.GetRequiredService<GitOpsTelemetry>().ActivitySource);
    }
}
