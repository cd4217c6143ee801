using GitOps.Sdk.TestUtilities;

namespace GitOps.Cli.Tests;

/// <summary>
/// The README's installation: the CLI packed as a .NET tool (<c>dotnet pack src/GitOps.Cli</c>), installed with
/// <c>dotnet tool install</c> from that folder only (no other package source), and run as <c>gitops</c>.
/// </summary>
public sealed class ToolInstallTests
{
    [Fact]
    public async Task PackedTool_InstallsFromAFolderAndRunsAsGitops()
    {
        using var temp = new TempDirectory("gitops-tool");
        var packages = temp.Combine("packages");
        var tools = temp.Combine("tools");
        var config = temp.Combine("NuGet.Config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var project = Path.Combine(TestPaths.RepositoryRoot, "src", "GitOps.Cli", "GitOps.Cli.csproj");

        // Restored already by the solution build; Release so the tests' Debug output is left alone.
        var pack = await ProcessRunner.RunAsync("dotnet", ["pack", project, "-c", "Release", "--no-restore", "-o", packages, "-p:GitOpsSourceLink=false", "-nologo"], timeout: TimeSpan.FromMinutes(8));
        pack.ExitCode.Should().Be(0, pack.StandardOutput + pack.StandardError);
        var package = Directory.GetFiles(packages, "GitOps.Cli.*.nupkg").Should().ContainSingle().Subject;
        var version = Path.GetFileNameWithoutExtension(package)["GitOps.Cli.".Length..];

        var install = await ProcessRunner.RunAsync("dotnet", ["tool", "install", "GitOps.Cli", "--tool-path", tools, "--version", version, "--configfile", config], timeout: TimeSpan.FromMinutes(3));
        install.ExitCode.Should().Be(0, install.StandardOutput + install.StandardError);
        install.StandardOutput.Should().Contain("gitops");

        var gitops = Path.Combine(tools, "gitops");
        var help = await ProcessRunner.RunAsync(gitops, ["--help"]);
        help.ExitCode.Should().Be(0, help.StandardError);
        help.StandardOutput.Should().Contain("diff").And.Contain("reconcile").And.Contain("status").And.Contain("emulator");
        var desired = temp.Combine("settings.yaml");
        await File.WriteAllTextAsync(desired, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  GREETING: hello\n");
        var live = temp.Combine("live.json");
        await File.WriteAllTextAsync(live, "null");
        var diff = await ProcessRunner.RunAsync(gitops, ["diff", "-f", desired, "--live", live]);
        diff.ExitCode.Should().Be(1, diff.StandardError);
        diff.StandardOutput.Should().Contain("# /ConfigMap/shop/settings: create");
    }
}
