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

    [GeneratedRegex(@"^Summary: drift corrected \((?<objects>\d+) objects\), change applied \(main@sha1:(?<sha>[0-9a-f]{40})\)\s*$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"\(commit (?<sha>[0-9a-f]{12})\)")]
    private static partial Regex FirstCommit();

    [GeneratedRegex(@"Committed a change to configmap\.yaml \((?<sha>[0-9a-f]{12})\)")]
    private static partial Regex SecondCommit();
}
