using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace GitOps.Sdk.Benchmarks.Git;

/// <summary>
/// Jobs of the Git benchmarks. They run in process: the work is network and disk I/O against real git servers, and
/// building a separate benchmark executable on this shared 2-core machine can take longer than BenchmarkDotNet allows.
/// </summary>
internal static class GitBenchConfig
{
    /// <summary>Clone-sized work (about a second each): one invocation per iteration, a fresh target every time.</summary>
    public sealed class Clone : ManualConfig
    {
        public Clone() => AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithWarmupCount(1)
            .WithIterationCount(8)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
    }

    /// <summary>Poll-sized work (milliseconds): a short job.</summary>
    public sealed class Poll : ManualConfig
    {
        public Poll() => AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(2)
            .WithIterationCount(10));
    }
}
