namespace GitOps.Sdk.TestUtilities.Git;

/// <summary>How git signs: the <c>-c</c> settings and environment of one signing key.</summary>
/// <param name="ConfigArguments">Arguments placed before the git sub-command (<c>-c gpg.format=ssh -c user.signingkey=…</c>).</param>
/// <param name="Environment">Extra environment variables (<c>GNUPGHOME</c> for OpenPGP keys).</param>
public sealed record GitSigningIdentity(IReadOnlyList<string> ConfigArguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>An SSH key made by the real <c>ssh-keygen</c>.</summary>
/// <param name="PrivateKeyPath">The private key file.</param>
/// <param name="PublicKey">The public key line (<c>ssh-ed25519 AAAA… comment</c>).</param>
/// <param name="Fingerprint">The fingerprint as <c>ssh-keygen -l</c> prints it (<c>SHA256:…</c>).</param>
public sealed record TestSshKey(string PrivateKeyPath, string PublicKey, string Fingerprint)
{
    /// <summary>Gets how git signs with this key.</summary>
    public GitSigningIdentity Signing => new(["-c", "gpg.format=ssh", "-c", "user.signingkey=" + PrivateKeyPath], new Dictionary<string, string>());

    /// <summary>Returns an <c>allowed_signers</c> line trusting this key for <paramref name="principals"/>.</summary>
    /// <param name="principals">The principals field.</param>
    /// <param name="options">Options such as <c>namespaces="git"</c>, or <see langword="null"/>.</param>
    /// <returns>The line.</returns>
    public string AllowedSignersLine(string principals = "committer@example.test", string? options = null) =>
        options is null ? $"{principals} {PublicKey}" : $"{principals} {options} {PublicKey}";
}

/// <summary>An OpenPGP key made by the real <c>gpg</c> in an isolated <c>GNUPGHOME</c>.</summary>
/// <param name="Email">The user ID's address.</param>
/// <param name="Fingerprint">The primary key's fingerprint (40 upper-case hex).</param>
/// <param name="ArmoredPublicKey">What <c>gpg --armor --export</c> prints.</param>
/// <param name="Signing">How git signs with this key.</param>
public sealed record TestGpgKey(string Email, string Fingerprint, string ArmoredPublicKey, GitSigningIdentity Signing);

/// <summary>
/// Makes real signing keys for tests: SSH keys with <c>ssh-keygen</c> (no passphrase) and OpenPGP keys with <c>gpg</c>
/// (batch generation, no passphrase) in a private <c>GNUPGHOME</c> whose agent is stopped on dispose.
/// </summary>
public sealed class GitSigners : IAsyncDisposable
{
    private readonly TempDirectory temp;
    private int counter;

    private GitSigners(TempDirectory temp) => this.temp = temp;

    /// <summary>Gets the isolated <c>GNUPGHOME</c>.</summary>
    public string GnuPgHome => temp.Combine("gnupg");

    /// <summary>Creates an empty key store.</summary>
    /// <returns>The store.</returns>
    public static GitSigners Create()
    {
        // A short path: gpg-agent's socket path must stay below the Unix socket limit.
        var temp = new TempDirectory("gs");
        Directory.CreateDirectory(temp.Combine("gnupg"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp.Combine("gnupg"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new GitSigners(temp);
    }

    /// <summary>Generates an SSH key.</summary>
    /// <param name="type">The <c>ssh-keygen -t</c> type: <c>ed25519</c>, <c>rsa</c>, <c>ecdsa</c>.</param>
    /// <returns>The key.</returns>
    public async Task<TestSshKey> NewSshKeyAsync(string type = "ed25519")
    {
        var path = temp.Combine($"id_{type}_{Interlocked.Increment(ref counter)}");
        string[] bits = type == "rsa" ? ["-b", "3072"] : [];
        await ProcessRunner.RunCheckedAsync("ssh-keygen", ["-q", "-t", type, .. bits, "-N", string.Empty, "-C", "signer@example.test", "-f", path]);
        var publicKey = (await File.ReadAllTextAsync(path + ".pub")).Trim();
        var fingerprint = (await ProcessRunner.RunCheckedAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", path + ".pub"])).Split(' ')[1];
        return new TestSshKey(path, publicKey, fingerprint);
    }

    /// <summary>Generates an OpenPGP signing key (ed25519 unless <paramref name="rsa"/>).</summary>
    /// <param name="email">The user ID's address.</param>
    /// <param name="rsa">Whether to make an RSA 3072 key.</param>
    /// <returns>The key.</returns>
    public async Task<TestGpgKey> NewGpgKeyAsync(string email = "committer@example.test", bool rsa = false)
    {
        var parameters = temp.WriteFile(
            $"gpg-{Interlocked.Increment(ref counter)}.txt",
            $"""
            %no-protection
            Key-Type: {(rsa ? "RSA" : "eddsa")}
            {(rsa ? "Key-Length: 3072" : "Key-Curve: ed25519")}
            Key-Usage: sign
            Name-Real: Test Signer
            Name-Email: {email}
            Expire-Date: 0
            %commit

            """);
        var environment = new Dictionary<string, string> { ["GNUPGHOME"] = GnuPgHome };
        var before = await FingerprintsAsync(environment);
        await ProcessRunner.RunCheckedAsync("gpg", ["--batch", "--quiet", "--gen-key", parameters], environment: environment);
        var fingerprint = (await FingerprintsAsync(environment)).Except(before).Single();
        var armored = await ProcessRunner.RunCheckedAsync("gpg", ["--batch", "--armor", "--export", fingerprint], environment: environment);
        return new TestGpgKey(email, fingerprint, armored, new GitSigningIdentity(["-c", "gpg.format=openpgp", "-c", "user.signingkey=" + fingerprint], environment));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("gpgconf", ["--kill", "gpg-agent"], environment: new Dictionary<string, string> { ["GNUPGHOME"] = GnuPgHome });
        temp.Dispose();
    }

    private static async Task<List<string>> FingerprintsAsync(Dictionary<string, string> environment)
    {
        var listing = await ProcessRunner.RunAsync("gpg", ["--batch", "--with-colons", "--list-keys"], environment: environment);
        var lines = listing.StandardOutput.Split('\n');
        var result = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("pub:", StringComparison.Ordinal) && i + 1 < lines.Length && lines[i + 1].StartsWith("fpr:", StringComparison.Ordinal))
            {
                result.Add(lines[i + 1].Split(':')[9]);
            }
        }

        return result;
    }
}
