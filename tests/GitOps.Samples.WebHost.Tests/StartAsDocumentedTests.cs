using GitOps.Sdk.Hosting;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Samples.WebHost.Tests;

/// <summary>The web host started as docs/getting-started.md says, with no kubeconfig and no source named.</summary>
public sealed class StartAsDocumentedTests
{
    [Fact]
    public async Task NoKubeconfigNoSource_StartsTheEmulator_PrintsItsKubeconfig_AndSyncsTheDemoRepository()
    {
        var printed = new StringWriter();
        var console = Console.Out;
        Console.SetOut(printed);
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = await GitOpsWebHost.BuildAsync(["--urls", $"http://127.0.0.1:{FreePort.Next()}", "--environment", "Production"]);
        }
        finally
        {
            Console.SetOut(console);
        }

        await using (app)
        {
            await app.StartAsync();
            var output = printed.ToString();
            output.Should().Contain("Embedded Kubernetes API emulator at http://127.0.0.1:").And.Contain("kubeconfig: ");
            var kubeconfig = output.Split('\n').Single(l => l.TrimStart().StartsWith("kubeconfig: ", StringComparison.Ordinal)).Trim()["kubeconfig: ".Length..];
            File.Exists(kubeconfig).Should().BeTrue("the printed kubeconfig path is the emulator's");
            var controller = app.Services.GetRequiredService<IGitOpsController>();
            await WebHostFixture.WaitUntilAsync(() => controller.GetStatus("demo")?.LastAppliedRevision is not null, "the demo application's first sync");
            controller.GetStatus("demo")!.Source.Should().Contain("gitops-quickstart-", "the demo repository is made from samples/demo-repo");

            var version = await ProcessRunner.RunCheckedAsync("kubectl", ["--kubeconfig", kubeconfig, "get", "deployment", "web", "-n", "demo", "-o", "name"]);
            version.Trim().Should().Be("deployment.apps/web");
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task MisspeltKey_FailsTheBuild_WithOneConfigurationException_AndTheTargetKeyNamesTheCluster()
    {
        var printed = new StringWriter();
        var console = Console.Out;
        Console.SetOut(printed);
        try
        {
            // GitOps:Target:Kubeconfig names a cluster, so the embedded emulator is not started.
            var build = () => GitOpsWebHost.BuildAsync(["--GitOps:Target:Kubeconfig", "/nonexistent/kubeconfig", "--GitOps:Applications:demo:Source", "https://git.example.com/demo.git", "--GitOps:Applications:demo:Intervall", "1m"]);

            var error = (await build.Should().ThrowAsync<GitOps.Sdk.GitOpsConfigurationException>()).Which;
            error.Errors.Should().Equal("GitOps:Applications:demo:Intervall is not a known key (did you mean Interval?).");
        }
        finally
        {
            Console.SetOut(console);
        }

        printed.ToString().Should().NotContain("Embedded Kubernetes API emulator");
    }
}
