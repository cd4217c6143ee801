using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Git.Tests.Verification;

public sealed class VerificationOptionsTests : IClassFixture<SigningKeysFixture>
{
    private readonly SigningKeysFixture keys;

    public VerificationOptionsTests(SigningKeysFixture keys) => this.keys = keys;

    [Fact]
    public void AddGitSource_PolicyBoundFromConfiguration_ReachesTheOptionsWithItsKeysAndPatterns()
    {
        using var temp = new TempDirectory("gitops-verify-config");
        var signersFile = temp.WriteFile("allowed_signers", keys.Rsa.AllowedSignersLine() + "\n");
        var pgpFile = temp.WriteFile("release.asc", keys.Gpg.ArmoredPublicKey);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Git:Verification:release:Mode"] = "Tag",
            ["Git:Verification:release:Repositories:0"] = "https://git.example.com/shop/*",
            ["Git:Verification:release:AllowedSigners"] = keys.Ed25519.AllowedSignersLine(),
            ["Git:Verification:release:AllowedSignersFile"] = signersFile,
            ["Git:Verification:release:OpenPgpPublicKeyFiles:0"] = pgpFile,
            ["Git:Verification:release:RequireSignerMatchesCommitter"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.Configure<GitSourceOptions>(configuration.GetSection("Git"));
        new Builder(services).AddGitSource();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        var policy = provider.GetRequiredService<IOptions<GitSourceOptions>>().Value.Verification["release"];
        policy.Mode.Should().Be(GitVerificationMode.Tag);
        policy.Repositories.Should().Equal("https://git.example.com/shop/*");
        policy.RequireSignerMatchesCommitter.Should().BeTrue();
        var loaded = VerificationPolicy.Load("release", policy);
        loaded.Ssh!.Count.Should().Be(2, "the inline line and the file's line");
        loaded.Pgp!.Count.Should().Be(1);
    }

    [Theory]
    [InlineData("no-keys", "mode Head needs trusted keys")]
    [InlineData("bad-line", "AllowedSigners line 2: unsupported option 'no-such-option'")]
    [InlineData("bad-base64", "AllowedSigners line 1: the key is not valid base64 SSH key data")]
    [InlineData("bad-pgp", "OpenPgpPublicKeys[0]: not an OpenPGP public key block")]
    [InlineData("missing-file", "AllowedSignersFile: cannot read")]
    public void AddGitSource_UnusablePolicy_FailsValidationAtStartNamingThePolicy(string what, string expected)
    {
        var services = new ServiceCollection();
        new Builder(services).AddGitSource(o =>
        {
            var policy = new GitVerificationOptions { Mode = GitVerificationMode.Head };
            switch (what)
            {
                case "bad-line":
                    policy.AllowedSigners = keys.Ed25519.AllowedSignersLine() + "\n" + keys.Rsa.AllowedSignersLine(options: "no-such-option");
                    break;
                case "bad-base64":
                    policy.AllowedSigners = "someone@example.test ssh-ed25519 AAAA!!notbase64";
                    break;
                case "bad-pgp":
                    policy.OpenPgpPublicKeys.Add("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----\n");
                    break;
                case "missing-file":
                    policy.AllowedSignersFile = "/nonexistent/allowed_signers";
                    break;
            }

            o.Verification["release"] = policy;
        });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        var message = act.Should().Throw<OptionsValidationException>().Which.Message;
        message.Should().Contain("GitSourceOptions.Verification['release']").And.Contain(expected);
        message.Should().NotContain(keys.Rsa.PublicKey.Split(' ')[1], "key material is never quoted");
    }

    private sealed class Builder(IServiceCollection services) : IGitOpsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
