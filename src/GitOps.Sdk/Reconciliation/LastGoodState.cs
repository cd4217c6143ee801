namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// State kept between runs for the source and render stages: the last desired state that rendered and passed the
/// checks (a failed fetch or render keeps it), and whether the last run left nothing to do.
/// </summary>
internal sealed class LastGoodState
{
    private Memo? _memo;
    private long? _cleanAtLiveChanges;

    /// <summary>Gets the last good desired state, or <see langword="null"/> before the first good render.</summary>
    public DesiredState? Desired => _memo?.Desired;

    /// <summary>Gets the digest of the last good render's artifact.</summary>
    public string? RenderedDigest => _memo?.Digest;

    /// <summary>Returns the revision id of the last good render when it was made with the same render options.</summary>
    public string? KnownRevisionId(string renderOptionsKey) =>
        _memo is { } m && string.Equals(m.RenderOptionsKey, renderOptionsKey, StringComparison.Ordinal) ? m.RevisionId : null;

    /// <summary>Returns the last good desired state when <paramref name="digest"/> is the same content rendered with the same options.</summary>
    public DesiredState? SameContent(string digest, string renderOptionsKey) =>
        _memo is { } m && string.Equals(m.Digest, digest, StringComparison.Ordinal) && string.Equals(m.RenderOptionsKey, renderOptionsKey, StringComparison.Ordinal)
            ? m.Desired
            : null;

    /// <summary>Remembers a good render.</summary>
    public void Remember(DesiredState desired, string revisionId, string digest, string renderOptionsKey) =>
        _memo = new Memo(desired, revisionId, digest, renderOptionsKey);

    /// <summary>Returns <see langword="true"/> when the last run was clean and no foreign live change was seen since it started.</summary>
    public bool CleanSince(long liveChanges) => _cleanAtLiveChanges == liveChanges;

    /// <summary>Records how the run that started at <paramref name="liveChangesAtStart"/> ended.</summary>
    public void RunEnded(bool clean, long liveChangesAtStart) => _cleanAtLiveChanges = clean ? liveChangesAtStart : null;

    private sealed record Memo(DesiredState Desired, string RevisionId, string Digest, string RenderOptionsKey);
}
