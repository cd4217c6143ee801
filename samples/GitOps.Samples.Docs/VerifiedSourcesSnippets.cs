using GitOps.Sdk;
using GitOps.Sdk.Git;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Samples.Docs;

/// <summary>The code shown in docs/verified-sources.md, compiled.</summary>
internal static class VerifiedSourcesSnippets
{
    public static void VerifiedSources(IServiceCollection services)
    {
        #region verified-sources
        services.AddGitOps(o => o.Applications.Add(new ApplicationDefinition
            {
                Name = "shop",
                Source = new SourceReference
                {
                    Url = "https://git.example.com/shop/deploy.git",
                    Ref = "main",
                    Properties = new Dictionary<string, string> { [GitSourceProperties.Verification] = "release" },
                },
                Namespace = "shop",
            }))
            .AddGitSource(o =>
            {
                var release = new GitVerificationOptions
                {
                    Mode = GitVerificationMode.Head,            // or Tag: the ref must be a signed annotated tag
                    AllowedSignersFile = "/etc/gitops/allowed_signers",
                };
                release.OpenPgpPublicKeyFiles.Add("/etc/gitops/release-keys.asc");
                o.Verification["release"] = release;
            })
            .AddKubernetesTarget();
        #endregion
    }
}
