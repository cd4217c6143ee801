namespace GitOps.Cli.Tests.Commands;

/// <summary>Settings the engine refuses are printed as one block, exit code 2, no stack trace.</summary>
public sealed class ReconcileConfigurationErrorTests
{
    [Fact]
    public async Task Reconcile_InvalidSettings_PrintsOneBlockListingEveryProblem_AndExitsTwo()
    {
        await using var cli = CliProcess.Start(
            ["reconcile", "--source", "https://git.example.com/shop.git", "--name", "Bad_Name", "--allow-namespace", "not a namespace", "--once", "--kubeconfig", "/nonexistent/kubeconfig"]);

        var (code, _) = await cli.WaitForExitAsync(TimeSpan.FromMinutes(1));

        code.Should().Be(2, cli.Output);
        cli.Output.Should().NotContain("   at ", "a stack trace helps no CLI user");
        var lines = cli.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var heading = lines.FindIndex(l => l == "gitops reconcile: The GitOps configuration has 2 problems:");
        heading.Should().BeGreaterThanOrEqualTo(0, cli.Output);
        lines.Skip(heading + 1).Take(2).Should().SatisfyRespectively(
            first => first.Should().StartWith("  - GitOps application 'Bad_Name': Name must be a DNS label"),
            second => second.Should().StartWith("  - GitOps application 'Bad_Name': AllowedNamespaces entry 'not a namespace'"));
    }
}
