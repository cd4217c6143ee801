using System.Text;

namespace GitOps.Sdk.Git;

/// <summary>The outcome of checking one signature: the signer (a fingerprint, never key material) and why it failed.</summary>
internal sealed record SignatureCheck(bool Valid, string? Signer, string? Reason)
{
    public static SignatureCheck Good(string signer, DateTimeOffset signedAt) => new(true, signer, null) { SignedAt = signedAt };

    public static SignatureCheck Bad(string? signer, string reason) => new(false, signer, reason);

    public static SignatureCheck Untrusted(string signer, string reason) => new(false, signer, reason);

    public DateTimeOffset? SignedAt { get; init; }
}

/// <summary>
/// A <see cref="GitVerificationOptions"/> with its keys read: checks an armored signature (SSH or OpenPGP) over a signed
/// payload for a signer identity (e-mail and time of the committer or tagger).
/// </summary>
internal sealed class VerificationPolicy
{
    private const string GitNamespace = "git";

    private VerificationPolicy(string name, GitVerificationOptions options, AllowedSigners? ssh, OpenPgpKeyring? pgp)
    {
        Name = name;
        Mode = options.Mode;
        RequireSignerMatchesCommitter = options.RequireSignerMatchesCommitter;
        Ssh = ssh;
        Pgp = pgp;
    }

    public string Name { get; }

    public GitVerificationMode Mode { get; }

    public bool RequireSignerMatchesCommitter { get; }

    public AllowedSigners? Ssh { get; }

    public OpenPgpKeyring? Pgp { get; }

    /// <summary>Reads the keys of a policy (files included).</summary>
    /// <exception cref="FormatException">A key, a file or an <c>allowed_signers</c> line is unreadable; the message says which.</exception>
    public static VerificationPolicy Load(string name, GitVerificationOptions options)
    {
        var label = $"GitSourceOptions.Verification['{name}']";
        AllowedSigners? ssh = null;
        if (options.AllowedSigners is not null || options.AllowedSignersFile is not null)
        {
            var text = new StringBuilder(options.AllowedSigners ?? string.Empty).Append('\n');
            if (options.AllowedSignersFile is { } file)
            {
                text.Append(ReadFile(file, $"{label}.AllowedSignersFile"));
            }

            ssh = AllowedSigners.Parse(text.ToString(), $"{label}.AllowedSigners");
        }

        OpenPgpKeyring? pgp = null;
        var blocks = options.OpenPgpPublicKeys.Select((k, i) => (Encoding.UTF8.GetBytes(k ?? string.Empty), $"{label}.OpenPgpPublicKeys[{i}]"))
            .Concat(options.OpenPgpPublicKeyFiles.Select((f, i) => (ReadBytes(f, $"{label}.OpenPgpPublicKeyFiles[{i}]"), $"{label}.OpenPgpPublicKeyFiles[{i}] ({f})")))
            .ToList();
        if (blocks.Count > 0)
        {
            pgp = OpenPgpKeyring.Load(blocks);
        }

        if (options.Mode != GitVerificationMode.Off && (ssh?.Count ?? 0) + (pgp?.Count ?? 0) == 0)
        {
            throw new FormatException($"{label}: mode {options.Mode} needs trusted keys (AllowedSigners, AllowedSignersFile, OpenPgpPublicKeys or OpenPgpPublicKeyFiles).");
        }

        return new VerificationPolicy(name, options, ssh, pgp);
    }

    /// <summary>Checks <paramref name="signature"/> over <paramref name="payload"/>.</summary>
    /// <param name="signature">The armored signature.</param>
    /// <param name="payload">The signed bytes.</param>
    /// <param name="email">The committer's (tagger's) e-mail address.</param>
    /// <param name="signedAt">The committer's (tagger's) time, which <c>git</c> hands to <c>ssh-keygen</c> as the verify time.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The result.</returns>
    public SignatureCheck Check(string signature, byte[] payload, string email, DateTimeOffset signedAt, DateTimeOffset now)
    {
        if (signature.Contains(SshSignature.Armor, StringComparison.Ordinal))
        {
            return CheckSsh(signature, payload, email, signedAt);
        }

        if (signature.Contains("-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal))
        {
            return Pgp is null
                ? SignatureCheck.Bad(null, "it carries an OpenPGP signature and the policy trusts no OpenPGP key")
                : Pgp.Verify(signature, payload, RequireSignerMatchesCommitter ? email : null, now);
        }

        return SignatureCheck.Bad(null, "its signature is neither an SSH nor an OpenPGP signature (X.509 signatures are not supported)");
    }

    private SignatureCheck CheckSsh(string armored, byte[] payload, string email, DateTimeOffset signedAt)
    {
        SshSignature signature;
        try
        {
            signature = SshSignature.Parse(armored);
        }
        catch (FormatException e)
        {
            return SignatureCheck.Bad(null, $"the SSH signature is malformed ({e.Message})");
        }

        var signer = $"SSH key {signature.Key.Fingerprint} ({signature.Key.Type})";
        if (Ssh is null)
        {
            return SignatureCheck.Bad(signer, "it carries an SSH signature and the policy has no allowed signers");
        }

        if (signature.Namespace != GitNamespace)
        {
            return SignatureCheck.Bad(signer, $"the SSH signature was made for namespace '{signature.Namespace}', not 'git'");
        }

        if (signature.Verify(payload) is { } invalid)
        {
            return SignatureCheck.Bad(signer, invalid);
        }

        var (principals, reason) = Ssh.Find(signature.Key, GitNamespace, signedAt, RequireSignerMatchesCommitter ? email : null);
        return principals is null
            ? SignatureCheck.Untrusted(signer, reason)
            : SignatureCheck.Good($"{signer} of {principals}", signedAt);
    }

    private static string ReadFile(string path, string label) => Encoding.UTF8.GetString(ReadBytes(path, label));

    private static byte[] ReadBytes(string path, string label)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new FormatException($"{label}: cannot read '{path}' ({e.GetType().Name}).", e);
        }
    }
}
