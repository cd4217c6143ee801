using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Verification;

/// <summary>Real keys, made once per test class: SSH keys by <c>ssh-keygen</c>, OpenPGP keys by <c>gpg</c> in an isolated home.</summary>
public sealed class SigningKeysFixture : IAsyncLifetime
{
    public GitSigners Signers { get; private set; } = null!;

    public TestSshKey Ed25519 { get; private set; } = null!;

    public TestSshKey Rsa { get; private set; } = null!;

    public TestSshKey Ecdsa { get; private set; } = null!;

    /// <summary>Gets an SSH key no policy trusts.</summary>
    public TestSshKey StrangerSsh { get; private set; } = null!;

    public TestGpgKey Gpg { get; private set; } = null!;

    public TestGpgKey GpgRsa { get; private set; } = null!;

    /// <summary>Gets an OpenPGP key no policy trusts.</summary>
    public TestGpgKey StrangerGpg { get; private set; } = null!;

    /// <summary>Gets an <c>allowed_signers</c> text trusting the three SSH keys for the test committer.</summary>
    public string AllowedSigners => string.Join('\n', Ed25519.AllowedSignersLine(), Rsa.AllowedSignersLine(), Ecdsa.AllowedSignersLine("committer@example.test", "namespaces=\"git\""));

    public TestSshKey Ssh(string type) => type switch
    {
        "ed25519" => Ed25519,
        "rsa" => Rsa,
        "ecdsa" => Ecdsa,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public async Task InitializeAsync()
    {
        Signers = GitSigners.Create();
        Ed25519 = await Signers.NewSshKeyAsync("ed25519");
        Rsa = await Signers.NewSshKeyAsync("rsa");
        Ecdsa = await Signers.NewSshKeyAsync("ecdsa");
        StrangerSsh = await Signers.NewSshKeyAsync("ed25519");
        Gpg = await Signers.NewGpgKeyAsync();
        GpgRsa = await Signers.NewGpgKeyAsync(rsa: true);
        StrangerGpg = await Signers.NewGpgKeyAsync("stranger@example.test");
    }

    public async Task DisposeAsync() => await Signers.DisposeAsync();

    /// <summary>Returns a policy in <paramref name="mode"/> trusting the fixture's SSH keys and its first two OpenPGP keys.</summary>
    public GitVerificationOptions Policy(GitVerificationMode mode = GitVerificationMode.Head)
    {
        var policy = new GitVerificationOptions { Mode = mode, AllowedSigners = AllowedSigners };
        policy.OpenPgpPublicKeys.Add(Gpg.ArmoredPublicKey);
        policy.OpenPgpPublicKeys.Add(GpgRsa.ArmoredPublicKey);
        return policy;
    }
}
