namespace GitOps.Sdk;

/// <summary>
/// Credentials for a source. Masking is a property of this type: <see cref="ToString"/>, record printing and
/// equality-based logging never show the password, token or key.
/// </summary>
public sealed record SourceCredentials
{
    /// <summary>Gets the user name for basic authentication (shown in logs).</summary>
    public string? Username { get; init; }

    /// <summary>Gets the password for basic authentication.</summary>
    public string? Password { get; init; }

    /// <summary>Gets a bearer token.</summary>
    public string? BearerToken { get; init; }

    /// <summary>Gets a PEM private key for SSH.</summary>
    public string? SshPrivateKey { get; init; }

    /// <summary>Gets the passphrase of <see cref="SshPrivateKey"/>.</summary>
    public string? SshPassphrase { get; init; }

    /// <summary>Gets SSH known_hosts content used to verify the server; <see langword="null"/> refuses unknown hosts unless <see cref="InsecureSkipHostKeyCheck"/>.</summary>
    public string? SshKnownHosts { get; init; }

    /// <summary>Gets a value indicating whether SSH host keys are accepted unchecked. <value>Default: <see langword="false"/>.</value></summary>
    public bool InsecureSkipHostKeyCheck { get; init; }

    /// <summary>Gets PEM certificates of additional certificate authorities trusted for HTTPS.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>Gets a value indicating whether TLS certificate errors are ignored. <value>Default: <see langword="false"/>.</value></summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>Returns the kinds of credential present, never their values.</summary>
    /// <returns>E.g. <c>SourceCredentials { Username = deploy, Password = ***, BearerToken = (none) }</c>.</returns>
    public override string ToString() =>
        $"SourceCredentials {{ Username = {Username ?? "(none)"}, Password = {Mask(Password)}, BearerToken = {Mask(BearerToken)}, SshPrivateKey = {Mask(SshPrivateKey)} }}";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Username = ").Append(Username ?? "(none)")
            .Append(", Password = ").Append(Mask(Password))
            .Append(", BearerToken = ").Append(Mask(BearerToken))
            .Append(", SshPrivateKey = ").Append(Mask(SshPrivateKey));
        return true;
    }

    private static string Mask(string? value) => value is null ? "(none)" : "***";
}

/// <summary>Supplies credentials for sources by <see cref="SourceReference.CredentialsName"/> or URL; registered in DI by the host.</summary>
public interface ICredentialProvider
{
    /// <summary>Returns credentials for <paramref name="source"/>, or <see langword="null"/> for anonymous access.</summary>
    /// <param name="source">The source about to be contacted.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The credentials, or <see langword="null"/>.</returns>
    ValueTask<SourceCredentials?> GetCredentialsAsync(SourceReference source, CancellationToken cancellationToken);
}
