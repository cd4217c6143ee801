using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitOps.Samples.Docs;

/// <summary>The start-up code shown in docs/configuration.md, compiled.</summary>
internal static class ConfigurationSnippets
{
    public static async Task<int> RunAsync(string[] args)
    {
        #region configuration-errors
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddGitOps(builder.Configuration).AddGitSource().AddKubernetesTarget();
        using var host = builder.Build();
        try
        {
            // Reading the controller reads and checks the whole GitOps configuration.
            _ = host.Services.GetRequiredService<IGitOpsController>();
            await host.RunAsync();
            return 0;
        }
        catch (GitOpsConfigurationException ex)
        {
            Console.Error.WriteLine(ex.Message); // one block: a heading and a line per problem
            return 2;
        }
        #endregion
    }
}
