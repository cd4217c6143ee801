using System.ComponentModel.DataAnnotations;

namespace GitOps.Sdk.Git;

/// <summary>Settings of <see cref="GitSourceProvider"/>.</summary>
/// <example>
/// <code>
/// services.AddGitOps().AddGitSource(o =&gt;
/// {
///     o.CacheDirectory = "/var/cache/gitops/git";
///     o.Credentials["deploy"] = new SourceCredentials { Username = "deploy", Password = secret };
///     o.Ignore.Add("*.md");
/// });
/// </code>
/// </example>
public sealed class GitSourceOptions
{
    /// <summary>
    /// Gets or sets the folder holding bare clones (one per repository URL) and exported trees (one per content digest).
    /// <value>Default: <c>gitops-sdk/git</c> under the system temp folder.</value>
    /// </summary>
    [Required]
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "gitops-sdk", "git");

    /// <summary>Gets or sets how long one fetch (download and export) may take. <value>Default: 5 minutes.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long asking the remote for its refs (<see cref="GitSourceProvider.ResolveAsync"/>) may take. <value>Default: 30 seconds.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets credentials by <see cref="SourceReference.CredentialsName"/>. Consulted before any registered
    /// <see cref="ICredentialProvider"/>.
    /// </summary>
    public IDictionary<string, SourceCredentials> Credentials { get; } = new Dictionary<string, SourceCredentials>(StringComparer.Ordinal);

    /// <summary>
    /// Gets patterns in gitignore syntax, relative to the repository root, of files that are never exported
    /// (in addition to <c>.sourceignore</c> files found in the repository).
    /// </summary>
    public IList<string> Ignore { get; } = [];

    /// <summary>
    /// Gets patterns in gitignore syntax, relative to the repository root; when not empty only matching files are exported.
    /// </summary>
    public IList<string> Include { get; } = [];

    /// <summary>Gets or sets a value indicating whether <c>.sourceignore</c> files in the repository are honoured. <value>Default: <see langword="true"/>.</value></summary>
    public bool UseSourceIgnoreFiles { get; set; } = true;

    /// <summary>Gets or sets a receiver of transfer progress (objects and bytes received) of every fetch; <see langword="null"/> for none.</summary>
    public IProgress<GitTransferProgress>? Progress { get; set; }

    /// <summary>Gets or sets the number of exported trees kept per repository before the oldest are deleted. <value>Default: 5.</value></summary>
    [Range(1, 1000)]
    public int ExportsToKeep { get; set; } = 5;

    /// <summary>Gets or sets the path of the <c>ssh</c> client used for <c>ssh://</c> and scp-like URLs. <value>Default: <c>ssh</c> (found on PATH).</value></summary>
    [Required]
    public string SshExecutable { get; set; } = "ssh";

    /// <summary>
    /// Gets signature verification policies by name (see docs/verified-sources.md). A source uses the policy it names in
    /// <see cref="SourceReference.Properties"/> under <see cref="GitSourceProperties.Verification"/>, else the one whose
    /// <see cref="GitVerificationOptions.Repositories"/> match its URL; a revision that fails the policy is refused before
    /// anything is exported, so nothing from it is rendered, applied or pruned.
    /// <value>Default: empty (no source is verified).</value>
    /// </summary>
    public IDictionary<string, GitVerificationOptions> Verification { get; } = new Dictionary<string, GitVerificationOptions>(StringComparer.Ordinal);
}

/// <summary>Progress of one Git transfer, reported through <see cref="GitSourceOptions.Progress"/>.</summary>
/// <param name="Url">The repository URL, credentials removed.</param>
/// <param name="ReceivedObjects">Objects received so far.</param>
/// <param name="TotalObjects">Objects the server announced.</param>
/// <param name="IndexedObjects">Objects indexed so far.</param>
/// <param name="ReceivedBytes">Bytes received so far.</param>
public sealed record GitTransferProgress(string Url, int ReceivedObjects, int TotalObjects, int IndexedObjects, long ReceivedBytes);
