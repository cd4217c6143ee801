using GitOps.Sdk.Shared;

namespace GitOps.Sdk.Git;

/// <summary>What a remote advertises: each ref's commit (tags peeled) and where HEAD points.</summary>
internal sealed class RemoteRefs
{
    private readonly Dictionary<string, string> direct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> peeled = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the ref HEAD points to (<c>refs/heads/main</c>), when the server says.</summary>
    public string? HeadTarget { get; set; }

    /// <summary>Gets or sets the commit HEAD points to.</summary>
    public string? HeadCommit { get; set; }

    /// <summary>Records one advertised line (<c>refs/tags/v1^{}</c> lines carry the peeled commit of an annotated tag).</summary>
    public void Add(string name, string sha)
    {
        if (name == "HEAD")
        {
            HeadCommit = sha;
        }
        else if (name.EndsWith("^{}", StringComparison.Ordinal))
        {
            peeled[name[..^3]] = sha;
        }
        else
        {
            direct[name] = sha;
        }
    }

    /// <summary>Returns the commit a full ref name points to (annotated tags peeled), or <see langword="null"/>.</summary>
    public string? CommitOf(string refName) =>
        peeled.TryGetValue(refName, out var p) ? p : direct.GetValueOrDefault(refName);

    /// <summary>Gets the tag names (without <c>refs/tags/</c>).</summary>
    public IEnumerable<string> Tags =>
        direct.Keys.Where(k => k.StartsWith("refs/tags/", StringComparison.Ordinal)).Select(k => k["refs/tags/".Length..]);

    /// <summary>Gets the number of advertised refs.</summary>
    public int Count => direct.Count;
}

/// <summary>A ref resolved to a commit.</summary>
/// <param name="Name">The short name shown in the revision (<c>main</c>, <c>v1.4.2</c>), or <see langword="null"/> for a bare commit.</param>
/// <param name="RefName">The full ref to fetch (<c>refs/heads/main</c>), or <see langword="null"/> for a bare commit.</param>
/// <param name="Commit">The commit SHA (40 lowercase hex).</param>
internal sealed record ResolvedRef(string? Name, string? RefName, string Commit)
{
    /// <summary>Gets the revision string: <c>main@sha1:…</c>, <c>v1.4.2@sha1:…</c> or <c>sha1:…</c>.</summary>
    public string Revision => Name is null ? $"sha1:{Commit}" : $"{Name}@sha1:{Commit}";
}

/// <summary>How a <see cref="SourceReference.Ref"/> is read for Git, after <see cref="SourceRefKind.Auto"/> detection.</summary>
internal enum GitRefKind
{
    Head,
    BranchOrTag,
    Branch,
    Tag,
    Semver,
    Commit,
    FullRef,
}

/// <summary>Reads a reference and matches it against what the remote advertises.</summary>
internal static class RefResolver
{
    /// <summary>Decides how to read <paramref name="source"/>'s ref.</summary>
    public static GitRefKind Classify(SourceReference source, string display)
    {
        var text = source.Ref;
        switch (source.RefKind)
        {
            case SourceRefKind.Branch:
                return RequireText(GitRefKind.Branch);
            case SourceRefKind.Tag:
                return RequireText(GitRefKind.Tag);
            case SourceRefKind.Semver:
                return GitRefKind.Semver;
            case SourceRefKind.Commit:
                RequireText(GitRefKind.Commit);
                return IsFullSha(text!) ? GitRefKind.Commit : throw new SourceException(
                    $"git source {display}: '{text}' is not a full 40-hex commit SHA.") { Kind = SourceErrorKind.RefNotFound };
            case SourceRefKind.Digest:
                throw new SourceException($"git source {display}: content digests cannot be fetched from Git; use a commit SHA, branch, tag or semver range.") { Kind = SourceErrorKind.Other };
            default:
                if (string.IsNullOrWhiteSpace(text))
                {
                    return GitRefKind.Head;
                }

                if (IsFullSha(text))
                {
                    return GitRefKind.Commit;
                }

                if (text.StartsWith("refs/", StringComparison.Ordinal))
                {
                    return GitRefKind.FullRef;
                }

                return VersionSelector.LooksLikeRange(text) ? GitRefKind.Semver : GitRefKind.BranchOrTag;
        }

        GitRefKind RequireText(GitRefKind kind) => string.IsNullOrWhiteSpace(text)
            ? throw new SourceException($"git source {display}: RefKind {source.RefKind} needs a Ref.") { Kind = SourceErrorKind.RefNotFound }
            : kind;
    }

    /// <summary>Resolves a commit reference without asking the remote.</summary>
    public static ResolvedRef ForCommit(string sha) => new(null, null, sha.ToLowerInvariant());

    /// <summary>Matches the ref against the advertisement.</summary>
    /// <exception cref="SourceException">The ref does not exist (<see cref="SourceErrorKind.RefNotFound"/>).</exception>
    public static ResolvedRef Resolve(GitRefKind kind, SourceReference source, RemoteRefs refs, string display)
    {
        var text = source.Ref?.Trim() ?? string.Empty;
        switch (kind)
        {
            case GitRefKind.Commit:
                return ForCommit(text);
            case GitRefKind.Head:
                if (refs.HeadTarget is { } target && refs.CommitOf(target) is { } headCommit)
                {
                    return new ResolvedRef(ShortName(target), target, headCommit);
                }

                if (refs.HeadCommit is { } detached)
                {
                    return new ResolvedRef("HEAD", "HEAD", detached);
                }

                throw NotFound("the remote has no HEAD (an empty repository?)");
            case GitRefKind.Branch:
                return Find("refs/heads/" + text) ?? throw NotFound($"branch '{text}' does not exist");
            case GitRefKind.Tag:
                return Find("refs/tags/" + text) ?? throw NotFound($"tag '{text}' does not exist");
            case GitRefKind.FullRef:
                return Find(text) ?? throw NotFound($"ref '{text}' does not exist");
            case GitRefKind.BranchOrTag:
                return Find("refs/heads/" + text) ?? Find("refs/tags/" + text)
                    ?? throw NotFound($"no branch or tag named '{text}'");
            case GitRefKind.Semver:
                string? chosen;
                try
                {
                    chosen = VersionSelector.SelectHighest(refs.Tags, source.Ref, source.IncludePrerelease);
                }
                catch (FormatException e)
                {
                    throw new SourceException($"git source {display}: {e.Message}", e) { Kind = SourceErrorKind.RefNotFound };
                }

                return chosen is null
                    ? throw NotFound($"no tag satisfies '{source.Ref}'{(source.IncludePrerelease ? string.Empty : " (pre-releases excluded)")}")
                    : Find("refs/tags/" + chosen)!;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        ResolvedRef? Find(string refName) =>
            refs.CommitOf(refName) is { } commit ? new ResolvedRef(ShortName(refName), refName, commit) : null;

        SourceException NotFound(string what) =>
            new($"git source {display}: {what}.") { Kind = SourceErrorKind.RefNotFound };
    }

    /// <summary>Returns the refspecs that bring <paramref name="resolved"/> into the cache.</summary>
    public static string[] RefSpecs(ResolvedRef resolved) => resolved.RefName switch
    {
        null => ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
        "HEAD" => ["+HEAD:refs/gitops/HEAD"],
        var name => [$"+{name}:{name}"],
    };

    internal static bool IsFullSha(string text) =>
        text.Length == 40 && text.All(char.IsAsciiHexDigit);

    private static string ShortName(string refName) =>
        refName.StartsWith("refs/heads/", StringComparison.Ordinal) ? refName["refs/heads/".Length..]
        : refName.StartsWith("refs/tags/", StringComparison.Ordinal) ? refName["refs/tags/".Length..]
        : refName;
}
