using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Samples.Quickstart.Tests;

/// <summary>
/// docs/getting-started.md step 2, word for word, as a new user follows it: its shell block (<c>dotnet new worker</c>,
/// <c>dotnet add package</c>) run as printed with the packages packed from this build as the feed, its Program.cs and
/// appsettings.json written as printed, and <c>dotnet run</c> — against a real <c>git daemon</c> and the emulator, named
/// through the keys the step itself names (<c>Kubeconfig</c>, <c>GitOps__Applications__shop__Source</c>).
/// </summary>
public sealed partial class GettingStartedWorkerTests
{
    private static readonly string[] Packages = ["GitOps.Sdk.Abstractions", "GitOps.Sdk", "GitOps.Sdk.Git", "GitOps.Sdk.Kubernetes"];

    [Fact]
    public async Task WorkerFollowingStep2_BuildsRunsAndSyncs()
    {
        var step = Step2();
        var blocks = Block().Matches(step).Select(m => (Language: m.Groups["lang"].Value, Code: m.Groups["code"].Value)).ToList();
        blocks.Select(b => b.Language).Should().Equal(["sh", "csharp", "json", "sh"], "step 2 is: make the project, Program.cs, appsettings.json, run");

        using var temp = new TempDirectory("getting-started");
        var feed = temp.Combine("feed");
        var version = $"0.1.{DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond % 60000}";
        await PackAsync(feed, version);
        WriteNuGetConfig(temp, feed);

        // Make the project as printed.
        var setup = await ProcessRunner.RunAsync("bash", ["-euo", "pipefail", "-c", blocks[0].Code], workingDirectory: temp.Path, environment: Quiet(), timeout: TimeSpan.FromMinutes(5));
        setup.ExitCode.Should().Be(0, setup.StandardOutput + setup.StandardError);
        var project = temp.Combine("Shop.GitOps");
        File.ReadAllText(Path.Combine(project, "Shop.GitOps.csproj")).Should().Contain($"\"GitOps.Sdk.Kubernetes\" Version=\"{version}\"", "the packages come from this build");
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), blocks[1].Code);
        await File.WriteAllTextAsync(Path.Combine(project, "appsettings.json"), blocks[2].Code);

        // What it reconciles: a repository served by git daemon with the apps/shop folder the appsettings names.
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("apps/shop/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  GREETING: hello\n");
        await repo.CommitAndPushAsync("shop settings");
        await using var emulator = await KubeApiEmulator.StartAsync();

        var environment = Quiet();
        environment["Kubeconfig"] = emulator.KubeconfigPath;
        environment["GitOps__Applications__shop__Source"] = git.UrlOf("deploy");
        var output = await RunUntilAsync(blocks[3].Code, project, environment, "shop: ReconcileCompleted", TimeSpan.FromMinutes(5));

        output.Should().Contain("shop: ReconcileCompleted");
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        var configMap = await http.GetAsync(new Uri("/api/v1/namespaces/shop/configmaps/settings", UriKind.Relative));
        configMap.IsSuccessStatusCode.Should().BeTrue($"the worker applied apps/shop into namespace shop:\n{output}");
    }

    private static string Step2()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "getting-started.md")).ReplaceLineEndings("\n");
        var start = text.IndexOf("## 2. ", StringComparison.Ordinal);
        var end = text.IndexOf("\n## 3. ", start, StringComparison.Ordinal);
        start.Should().BeGreaterThan(0);
        return text[start..end];
    }

    private static async Task PackAsync(string feed, string version)
    {
        var configuration = typeof(GettingStartedWorkerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        foreach (var package in Packages)
        {
            var csproj = Path.Combine(TestPaths.RepositoryRoot, "src", package, $"{package}.csproj");
            var pack = await ProcessRunner.RunAsync(
                "dotnet",
                ["pack", csproj, "-c", configuration, "--no-build", "--no-restore", "-o", feed, $"-p:PackageVersion={version}", "-p:GitOpsSourceLink=false", "-nologo"],
                environment: Quiet(),
                timeout: TimeSpan.FromMinutes(3));
            pack.ExitCode.Should().Be(0, pack.StandardOutput + pack.StandardError);
        }
    }

    /// <summary>A NuGet.Config above the project: GitOps.* from the packed feed only, the rest from nuget.org; a packages folder of its own, the machine's as a fallback.</summary>
    private static void WriteNuGetConfig(TempDirectory temp, string feed)
    {
        var machine = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        temp.WriteFile("NuGet.Config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="gitops" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="gitops"><package pattern="GitOps.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
              <config>
                <add key="globalPackagesFolder" value="{temp.Combine("packages")}" />
              </config>
              <fallbackPackageFolders>
                <add key="machine" value="{machine}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    private static Dictionary<string, string> Quiet() => new(StringComparer.Ordinal)
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["DOTNET_ENVIRONMENT"] = "Production",
    };

    /// <summary>Runs a shell block until a line containing <paramref name="expected"/> appears, then kills its process tree.</summary>
    private static async Task<string> RunUntilAsync(string script, string directory, Dictionary<string, string> environment, string expected, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        var output = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = psi };
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains(expected, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(seen.Task, process.WaitForExitAsync(), Task.Delay(timeout));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        lock (output)
        {
            seen.Task.IsCompleted.Should().BeTrue(string.Create(CultureInfo.InvariantCulture, $"'{expected}' within {timeout} (exit {(process.HasExited ? process.ExitCode : -1)}):\n{output}"));
            return output.ToString();
        }
    }

    [GeneratedRegex(@"^```(?<lang>\w+)\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();
}
