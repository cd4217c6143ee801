using System.Reflection;
using System.Text.RegularExpressions;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Samples.Quickstart.Tests;

/// <summary>
/// The README's main-job command, as CI runs it: the built quickstart against the embedded emulator, no cluster.
/// </summary>
public sealed partial class QuickstartProgramTests
{
    [Fact]
    public async Task Main_NoCluster_CorrectsDriftAppliesCommitAndExitsZero()
    {
        var dll = Path.GetFullPath(typeof(QuickstartProgramTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "QuickstartAssembly").Value!);
        File.Exists(dll).Should().BeTrue($"the quickstart is built with this test project ({dll})");

        var result = await ProcessRunner.RunAsync(
            "dotnet",
            [dll, "--timeout", "90"],
            workingDirectory: Path.GetTempPath(),
            timeout: TimeSpan.FromSeconds(100));

        var output = result.StandardOutput + result.StandardError;
        result.ExitCode.Should().Be(0, output);

        // The another-actor scale is attributed to its field manager and reverted; the deleted Service is recreated.
        result.StandardOutput.Should().Contain("apps/Deployment/demo/web: spec.replicas: live 5 → desired 2 (live value by kubectl-scale)");
        result.StandardOutput.Should().Contain("/Service/demo/web: deleted outside Git, recreated from the repository");

        var summary = SummaryLine().Match(result.StandardOutput);
        summary.Success.Should().BeTrue(output);
        summary.Groups["objects"].Value.Should().Be("2");

        // The applied revision is the new commit, not the one of the first sync.
        var firstCommit = FirstCommit().Match(result.StandardOutput).Groups["sha"].Value;
        var secondCommit = SecondCommit().Match(result.StandardOutput).Groups["sha"].Value;
        firstCommit.Should().NotBeEmpty(output);
        secondCommit.Should().NotBeEmpty(output);
        summary.Groups["sha"].Value.Should().StartWith(secondCommit).And.NotStartWith(firstCommit);
    }

    [Fact]
    public async Task Main_UnknownArgument_PrintsUsageAndExitsTwo()
    {
        var dll = Path.GetFullPath(typeof(QuickstartProgramTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "QuickstartAssembly").Value!);

        var result = await ProcessRunner.RunAsync("dotnet", [dll, "--no-such-option"], timeout: TimeSpan.FromSeconds(30));

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("usage:");
    }

    [Fact]
    public async Task Main_BadConfiguration_PrintsOneBlockListingEveryProblem_AndExitsTwoWithoutAStackTrace()
    {
        var dll = Path.GetFullPath(typeof(QuickstartProgramTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "QuickstartAssembly").Value!);
        var environment = new Dictionary<string, string>
        {
            ["GitOps__Applications__x__Interval"] = "banana",
            ["GitOps__Applications__x__Intervall"] = "5m",
            ["GitOps__Applications__demo__Prune"] = "yes",
            ["GitOps__Target__Contxt"] = "kind-dev",
        };

        var result = await ProcessRunner.RunAsync("dotnet", [dll, "--timeout", "60"], workingDirectory: Path.GetTempPath(), environment: environment, timeout: TimeSpan.FromSeconds(90));

        var output = result.StandardOutput + result.StandardError;
        result.ExitCode.Should().Be(2, output);
        output.Should().NotContain("   at ", "a configuration problem is the operator's to fix: no stack trace");
        output.Should().NotContain("Exception", "the problems are printed, not an exception");

        // One block: the heading, then one line per problem, each naming its configuration path.
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var heading = lines.FindIndex(l => l.StartsWith("The GitOps configuration has ", StringComparison.Ordinal));
        heading.Should().BeGreaterThanOrEqualTo(0, output);
        var block = lines.Skip(heading + 1).TakeWhile(l => l.StartsWith("  - ", StringComparison.Ordinal)).ToList();
        lines[heading].Should().Be($"The GitOps configuration has {block.Count} problems:");
        block.Should().Contain("  - GitOps:Applications:x:Interval: 'banana' is not a duration (examples: 00:05:00, 5m, 30s, 1h).");
        block.Should().Contain("  - GitOps:Applications:x:Intervall is not a known key (did you mean Interval?).");
        block.Should().Contain("  - GitOps:Applications:demo:Prune: 'yes' is not true or false.");
        block.Should().Contain("  - GitOps:Target:Contxt is not a known key (did you mean Context?).");
        lines.Skip(heading + 1 + block.Count).Should().BeEmpty("nothing follows the block");
    }

    [GeneratedRegex(@"^Summary: drift corrected \((?<objects>\d+) objects\), change applied \(main@sha1:(?<sha>[0-9a-f]{40})\)\s*$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"\(commit (?<sha>[0-9a-f]{12})\)")]
    private static partial Regex FirstCommit();

    [GeneratedRegex(@"Committed a change to configmap\.yaml \((?<sha>[0-9a-f]{12})\)")]
    private static partial Regex SecondCommit();
}
