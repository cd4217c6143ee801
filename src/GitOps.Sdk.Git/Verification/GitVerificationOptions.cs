namespace GitOps.Sdk.Git;

/// <summary>What a verification policy checks before a revision is exported (and so before anything is rendered).</summary>
public enum GitVerificationMode
{
    /// <summary>Nothing is verified.</summary>
    Off,

    /// <summary>The commit being deployed must carry a valid signature by a trusted key (like <c>git verify-commit</c>).</summary>
    Head,

    /// <summary>
    /// The ref must be a tag, and an annotated tag object pointing at the commit must carry a valid signature by a
    /// trusted key (like <c>git verify-tag</c>). Branches, lightweight tags and bare commits are refused.
    /// </summary>
    Tag,
}

/// <summary>
/// One verification policy of <see cref="GitSourceOptions.Verification"/>: the mode and the keys trusted to sign.
/// SSH signatures are checked against <see cref="AllowedSigners"/> (the <c>allowed_signers</c> format of
/// <c>ssh-keygen</c>, as <c>git verify-commit</c> with <c>gpg.format=ssh</c> uses it); OpenPGP signatures against
/// <see cref="OpenPgpPublicKeys"/>. Both may be given; a signature of either kind then counts. Keys are public
/// material, yet a policy never prints more than fingerprints.
/// </summary>
/// <example>
/// <code>
/// services.AddGitOps().AddGitSource(o =&gt;
/// {
///     var release = new GitVerificationOptions { Mode = GitVerificationMode.Head };
///     release.Repositories.Add("https://git.example.com/shop/*");
///     release.AllowedSigners = "release@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA…";
///     release.OpenPgpPublicKeys.Add(File.ReadAllText("/etc/gitops/release.asc"));
///     o.Verification["release"] = release;
/// });
/// </code>
/// </example>
public sealed class GitVerificationOptions
{
    /// <summary>Gets or sets what is verified. <value>Default: <see cref="GitVerificationMode.Off"/>.</value></summary>
    public GitVerificationMode Mode { get; set; } = GitVerificationMode.Off;

    /// <summary>
    /// Gets the repositories this policy applies to, as URLs with <c>*</c> wildcards matched against the source URL with
    /// any credentials removed (<c>https://git.example.com/shop/*</c>, <c>*</c> for every Git source). A source may
    /// also name its policy in <see cref="SourceReference.Properties"/> under <see cref="GitSourceProperties.Verification"/>,
    /// which wins. <value>Default: empty (only sources that name the policy).</value>
    /// </summary>
    public IList<string> Repositories { get; } = [];

    /// <summary>
    /// Gets or sets the contents of an <c>allowed_signers</c> file: one line per trusted SSH key,
    /// <c>principals [options] keytype base64-key [comment]</c>, with the options <c>namespaces="git"</c>,
    /// <c>valid-after="YYYYMMDD[HHMM[SS]][Z]"</c> and <c>valid-before=…</c> honoured as <c>ssh-keygen -Y verify</c> does.
    /// </summary>
    public string? AllowedSigners { get; set; }

    /// <summary>Gets or sets the path of an <c>allowed_signers</c> file, read when the policy is used; its lines are added to <see cref="AllowedSigners"/>.</summary>
    public string? AllowedSignersFile { get; set; }

    /// <summary>Gets ASCII-armored OpenPGP public keys (<c>-----BEGIN PGP PUBLIC KEY BLOCK-----</c>, as <c>gpg --armor --export</c> writes them).</summary>
    public IList<string> OpenPgpPublicKeys { get; } = [];

    /// <summary>Gets paths of files holding OpenPGP public keys (armored or binary), read when the policy is used.</summary>
    public IList<string> OpenPgpPublicKeyFiles { get; } = [];

    /// <summary>
    /// Gets or sets a value indicating whether the signer must be the committer (for <see cref="GitVerificationMode.Tag"/>: the
    /// tagger): an SSH key's <c>allowed_signers</c> principals must match the committer's e-mail address (as
    /// <c>ssh-keygen -Y verify -I &lt;email&gt;</c> checks), an OpenPGP key must have a user ID with that address.
    /// Without it any trusted key may sign, as with <c>git verify-commit</c>. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool RequireSignerMatchesCommitter { get; set; }
}

/// <summary>Keys of <see cref="SourceReference.Properties"/> that the Git source reads.</summary>
public static class GitSourceProperties
{
    /// <summary>The name of the <see cref="GitSourceOptions.Verification"/> policy that applies to the source (it wins over <see cref="GitVerificationOptions.Repositories"/>).</summary>
    public const string Verification = "verification";
}
