using System.CommandLine;
using GitOps.Sdk;
using GitOps.Sdk.Helm.Rendering;
using GitOps.Sdk.Manifests;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops render &lt;dir&gt;</c>: renders a folder the way the engine would and prints the objects as multi-document YAML.</summary>
internal sealed class RenderCommand : ICliCommand
{
    /// <summary>The exit code when rendering fails.</summary>
    public const int RenderFailed = 2;

    public Command Create()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "The folder to render (plain YAML, a kustomization or a Helm chart)." };
        var renderer = new Option<string>("--renderer", "-r")
        {
            Description = "The renderer: auto (kustomization → kustomize, Chart.yaml → helm, else plain), plain, kustomize or helm.",
            DefaultValueFactory = _ => "auto",
        };
        renderer.AcceptOnlyFromAmong("auto", "plain", "kustomize", "helm");
        var ns = new Option<string?>("--namespace", "-n") { Description = "The target namespace: given to namespaced objects that have none, and Helm's --namespace." };
        var application = new Option<string>("--application", "-a")
        {
            Description = "The application name used for the ownership label and tracking id (and as the Helm release name).",
            DefaultValueFactory = _ => "default",
        };
        var values = new Option<string[]>("--values", "-f")
        {
            Description = "Helm value files, relative to <dir>, merged in order (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };

        var command = new Command(
            "render",
            "Render a folder into the objects the engine would apply and print them as multi-document YAML. "
            + "The output is your own manifests rendered: Secret data written in your files is printed as rendered, not masked. "
            + "Exit code 2 and the error list on standard error when rendering fails.")
        {
            directory,
            renderer,
            ns,
            application,
            values,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var dir = parseResult.GetValue(directory)!;
            if (!dir.Exists)
            {
                await error.WriteLineAsync(CliText.Line($"error: the folder '{dir.FullName}' does not exist")).ConfigureAwait(false);
                return RenderFailed;
            }

            var services = new ServiceCollection();
            services.AddGitOpsRenderStage();
            new CliGitOpsBuilder(services).AddKustomizeRenderer().AddHelmRenderer();
            await using var provider = services.BuildServiceProvider();
            var stage = provider.GetRequiredService<IRenderStage>();
            var artifact = new SourceArtifact
            {
                Source = new SourceReference { Url = new Uri(dir.FullName).AbsoluteUri },
                Revision = "local",
                Digest = string.Empty,
                RootDirectory = dir.FullName,
            };
            var options = new RenderOptions
            {
                ApplicationName = parseResult.GetValue(application) ?? "default",
                Renderer = parseResult.GetValue(renderer) ?? "auto",
                Namespace = parseResult.GetValue(ns),
            }.WithHelm(h => h with { ValueFiles = [.. parseResult.GetValue(values) ?? []] });

            var result = await stage.RenderAsync(artifact, options, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                await error.WriteLineAsync(CliText.Line($"error: rendering '{dir.FullName}' with {result.Renderer ?? options.Renderer} failed:")).ConfigureAwait(false);
                foreach (var e in result.Errors)
                {
                    await error.WriteLineAsync("  " + CliText.Line(e.ToString())).ConfigureAwait(false);
                }

                return RenderFailed;
            }

            await output.WriteAsync(ManifestWriter.ToYamlStream(result.State.Objects)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private sealed class CliGitOpsBuilder(IServiceCollection services) : IGitOpsBuilder
    {
        public IServiceCollection Services => services;
    }
}
