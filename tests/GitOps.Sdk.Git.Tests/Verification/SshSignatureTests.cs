using System.Text;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Verification;

/// <summary>
/// SSHSIG signatures made by the real <c>ssh-keygen -Y sign</c>, each verdict compared with the real
/// <c>ssh-keygen -Y verify</c> on the same inputs.
/// </summary>
public sealed class SshSignatureTests : IClassFixture<SigningKeysFixture>, IDisposable
{
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.UtcNow;
    private readonly SigningKeysFixture keys;
    private readonly TempDirectory temp = new("gitops-sshsig");

    public SshSignatureTests(SigningKeysFixture keys) => this.keys = keys;

    public static TheoryData<string, string, string, bool> Cases => new()
    {
        { "ed25519", "git", "sha512", true },
        { "rsa", "git", "sha512", true },
        { "ecdsa", "git", "sha512", true },
        { "ed25519", "git", "sha256", true },
        { "rsa", "git", "sha256", true },
        { "ed25519", "file", "sha512", false },
        { "stranger", "git", "sha512", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Check_SignatureFromSshKeygen_AgreesWithSshKeygenVerify(string signer, string ns, string hash, bool valid)
    {
        var key = signer == "stranger" ? keys.StrangerSsh : keys.Ssh(signer);
        var data = Encoding.UTF8.GetBytes($"tree 0123\nauthor x <x@y> 1 +0000\n\nmessage {Guid.NewGuid()}\n");
        var signature = await SignAsync(key, ns, hash, data);

        var ours = Policy().Check(signature, data, "committer@example.test", SignedAt, SignedAt);
        var theirs = await SshKeygenVerifiesAsync(signature, data);

        ours.Valid.Should().Be(valid, ours.Reason);
        theirs.Should().Be(valid, "ssh-keygen -Y verify decides the same");
        ours.Signer.Should().Contain(key.Fingerprint);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa")]
    [InlineData("ecdsa")]
    public async Task Check_OneByteOfTheDataChanged_IsInvalidAsForSshKeygen(string type)
    {
        var data = Encoding.UTF8.GetBytes("tree 0123\n\napproved\n");
        var signature = await SignAsync(keys.Ssh(type), "git", "sha512", data);
        data[^2] ^= 1;

        var ours = Policy().Check(signature, data, "committer@example.test", SignedAt, SignedAt);

        ours.Valid.Should().BeFalse();
        ours.Reason.Should().Be("the signature does not match the signed content");
        (await SshKeygenVerifiesAsync(signature, data)).Should().BeFalse();
    }

    [Fact]
    public async Task Check_SignatureBlobFromAnotherKeySpliced_IsInvalid()
    {
        var data = Encoding.UTF8.GetBytes("payload\n");
        var trusted = await SignAsync(keys.Ed25519, "git", "sha512", data);
        var stranger = await SignAsync(keys.StrangerSsh, "git", "sha512", data);

        // The stranger's signature bytes with the trusted key's name in front: the key named must be the key that signed.
        var forged = Splice(trusted, stranger);
        var ours = Policy().Check(forged, data, "committer@example.test", SignedAt, SignedAt);

        ours.Valid.Should().BeFalse();
        ours.Signer.Should().Contain(keys.Ed25519.Fingerprint);
        (await SshKeygenVerifiesAsync(forged, data)).Should().BeFalse();
    }

    public void Dispose() => temp.Dispose();

    private VerificationPolicy Policy() =>
        VerificationPolicy.Load("test", new GitVerificationOptions { Mode = GitVerificationMode.Head, AllowedSigners = keys.AllowedSigners });

    private async Task<string> SignAsync(TestSshKey key, string ns, string hash, byte[] data)
    {
        var file = temp.Combine(Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, data);
        await ProcessRunner.RunCheckedAsync("ssh-keygen", ["-q", "-Y", "sign", "-n", ns, "-O", "hashalg=" + hash, "-f", key.PrivateKeyPath, file]);
        return await File.ReadAllTextAsync(file + ".sig");
    }

    private async Task<bool> SshKeygenVerifiesAsync(string signature, byte[] data)
    {
        var allowed = temp.WriteFile(Guid.NewGuid().ToString("N"), keys.AllowedSigners + "\n");
        var sig = temp.WriteFile(Guid.NewGuid().ToString("N") + ".sig", signature);
        var file = temp.Combine(Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, data);
        var result = await ProcessRunner.RunAsync("sh", ["-c", "exec ssh-keygen -Y verify -f \"$1\" -I committer@example.test -n git -s \"$2\" < \"$3\"", "sh", allowed, sig, file]);
        return result.ExitCode == 0;
    }

    /// <summary>Puts the public key of <paramref name="keyFrom"/> into <paramref name="signatureFrom"/>.</summary>
    private static string Splice(string keyFrom, string signatureFrom)
    {
        var a = Decode(keyFrom);
        var b = Decode(signatureFrom);

        // Both are ed25519 SSHSIGs of the same shape: magic(6) version(4) key(4+51) ns reserved hash signature.
        const int keyEnd = 6 + 4 + 4 + 51;
        var spliced = a[..keyEnd].Concat(b[keyEnd..]).ToArray();
        var body = Convert.ToBase64String(spliced);
        var lines = Enumerable.Range(0, (body.Length + 69) / 70).Select(i => body.Substring(i * 70, Math.Min(70, body.Length - (i * 70))));
        return "-----BEGIN SSH SIGNATURE-----\n" + string.Join('\n', lines) + "\n-----END SSH SIGNATURE-----\n";
    }

    private static byte[] Decode(string armored) =>
        Convert.FromBase64String(string.Concat(armored.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));
}
