using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;

namespace GitOps.Sdk.Git;

/// <summary>
/// Chooses the verification policy of a source and checks the signature of the commit (or of the annotated tag) being
/// deployed, before anything is exported. A refusal is a <see cref="SourceException"/> of kind
/// <see cref="SourceErrorKind.Integrity"/> naming the revision, the policy and, when known, the signing key's fingerprint.
/// </summary>
internal static class RevisionVerifier
{
    private static readonly string[] SignatureStarts = ["-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----"];

    /// <summary>Returns the policy that applies to <paramref name="source"/>, or <see langword="null"/> when none does (or it is off).</summary>
    /// <exception cref="SourceException">The source names an unknown policy, several policies match it, or a policy's keys are unreadable.</exception>
    public static VerificationPolicy? Select(GitSourceOptions options, SourceReference source, GitUrl url)
    {
        string name;
        GitVerificationOptions? chosen;
        if (source.Properties.TryGetValue(GitSourceProperties.Verification, out var named) && !string.IsNullOrWhiteSpace(named))
        {
            name = named.Trim();
            if (!options.Verification.TryGetValue(name, out chosen) || chosen is null)
            {
                throw Refused(url.Display, $"the source names verification policy '{name}', and GitSourceOptions.Verification has no policy of that name; nothing is fetched");
            }
        }
        else
        {
            var location = SafeUrl.Redact(source.Url);
            var matches = options.Verification.Where(p => p.Value is not null && p.Value.Repositories.Any(r => Patterns.Match(location, r.Trim()) || Patterns.Match(url.Display, r.Trim())))
                .OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
            if (matches.Count == 0)
            {
                return null;
            }

            if (matches.Count > 1)
            {
                throw Refused(url.Display, $"verification policies {string.Join(", ", matches.Select(m => $"'{m.Key}'"))} all match the repository; name one in the source's Properties['{GitSourceProperties.Verification}']");
            }

            (name, chosen) = (matches[0].Key, matches[0].Value);
        }

        if (chosen.Mode == GitVerificationMode.Off)
        {
            return null;
        }

        try
        {
            return VerificationPolicy.Load(name, chosen);
        }
        catch (FormatException e)
        {
            throw Refused(url.Display, e.Message.TrimEnd('.'));
        }
    }

    /// <summary>Returns whether the cache must fetch again for a tag check: the local tag is missing or points elsewhere.</summary>
    public static bool NeedsTagFetch(Repository repo, VerificationPolicy? policy, ResolvedRef resolved) =>
        policy?.Mode == GitVerificationMode.Tag
        && IsTagRef(resolved)
        && repo.Refs[resolved.RefName!]?.ResolveToDirectReference()?.Target?.Peel<Commit>()?.Sha != resolved.Commit;

    /// <summary>Verifies the commit (mode Head) or the tag pointing at it (mode Tag).</summary>
    /// <returns>Who signed, for the artifact's metadata and the log.</returns>
    /// <exception cref="SourceException">The revision is unsigned, badly signed or signed by an untrusted key.</exception>
    public static string Verify(Repository repo, Commit commit, ResolvedRef resolved, VerificationPolicy policy, string display, DateTimeOffset now)
    {
        string what;
        string signature;
        byte[] payload;
        Signature identity;
        if (policy.Mode == GitVerificationMode.Tag)
        {
            if (!IsTagRef(resolved))
            {
                throw Refused(display, policy, resolved, resolved.RefName is null
                    ? "mode Tag needs a tag ref, and a bare commit has no tag to verify"
                    : $"mode Tag needs a tag ref, and '{resolved.RefName}' is not a tag");
            }

            var target = repo.Refs[resolved.RefName!]?.ResolveToDirectReference()?.Target;
            if (target is not TagAnnotation tag)
            {
                throw Refused(display, policy, resolved, $"tag '{resolved.Name}' is a lightweight tag, which carries no signature");
            }

            if (tag.Target.Peel<Commit>()?.Sha != commit.Sha)
            {
                throw Refused(display, policy, resolved, $"tag '{resolved.Name}' does not point at commit {commit.Sha}");
            }

            what = $"tag '{resolved.Name}' ({tag.Sha[..12]})";
            var raw = RawTag(tag);
            if (raw is null)
            {
                throw Refused(display, policy, resolved, $"the raw content of {what} could not be reproduced for verification");
            }

            var split = SignatureOffset(raw);
            if (split < 0)
            {
                throw Refused(display, policy, resolved, $"{what} is not signed");
            }

            payload = raw[..split];
            signature = Encoding.UTF8.GetString(raw, split, raw.Length - split);
            identity = tag.Tagger ?? commit.Committer;
        }
        else
        {
            what = $"commit {commit.Sha[..12]}";
            SignatureInfo? extracted;
            try
            {
                extracted = Commit.ExtractSignature(repo, commit.Id);
            }
            catch (NotFoundException)
            {
                extracted = null;
            }

            if (extracted is not { } info || string.IsNullOrEmpty(info.Signature))
            {
                throw Refused(display, policy, resolved, $"{what} is not signed");
            }

            signature = info.Signature;
            payload = Encoding.UTF8.GetBytes(info.SignedData);
            identity = commit.Committer;
        }

        var check = policy.Check(signature, payload, identity.Email, identity.When, now);
        if (!check.Valid)
        {
            var by = check.Signer is null ? string.Empty : $" is signed by {check.Signer}, but";
            throw Refused(display, policy, resolved, $"{what}{by} {check.Reason}");
        }

        return check.Signer!;
    }

    private static bool IsTagRef(ResolvedRef resolved) => resolved.RefName?.StartsWith("refs/tags/", StringComparison.Ordinal) == true;

    /// <summary>Rebuilds the raw tag object and returns it only when it hashes to the tag's id (so every byte is the signed one).</summary>
    private static byte[]? RawTag(TagAnnotation tag)
    {
        var text = new StringBuilder()
            .Append("object ").Append(tag.Target.Sha).Append('\n')
            .Append("type ").Append(tag.Target switch { Commit => "commit", Tree => "tree", Blob => "blob", _ => "tag" }).Append('\n')
            .Append("tag ").Append(tag.Name).Append('\n');
        if (tag.Tagger is { } tagger)
        {
            var offset = tagger.When.Offset;
            text.Append("tagger ").Append(tagger.Name).Append(" <").Append(tagger.Email).Append("> ")
                .Append(tagger.When.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(offset < TimeSpan.Zero ? '-' : '+').Append(offset.Duration().ToString("hhmm", CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append('\n').Append(tag.Message);
        var raw = Encoding.UTF8.GetBytes(text.ToString());
        var header = Encoding.ASCII.GetBytes($"tag {raw.Length.ToString(CultureInfo.InvariantCulture)}\0");
#pragma warning disable CA5350 // SHA-1 is what names Git objects; this only checks the rebuilt bytes against the object's name.
        var id = Convert.ToHexStringLower(SHA1.HashData([.. header, .. raw]));
#pragma warning restore CA5350
        return id == tag.Sha ? raw : null;
    }

    /// <summary>Finds where a tag's signature starts: the last line that opens a signature block (as git's <c>parse_signed_buffer</c>).</summary>
    private static int SignatureOffset(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var found = -1;
        var lineStart = 0;
        while (lineStart < text.Length)
        {
            if (SignatureStarts.Any(s => string.CompareOrdinal(text, lineStart, s, 0, s.Length) == 0))
            {
                found = lineStart;
            }

            var next = text.IndexOf('\n', lineStart);
            if (next < 0)
            {
                break;
            }

            lineStart = next + 1;
        }

        return found < 0 ? -1 : Encoding.UTF8.GetByteCount(text.AsSpan(0, found));
    }

    private static SourceException Refused(string display, VerificationPolicy policy, ResolvedRef resolved, string why) =>
        Refused(display, $"{resolved.Revision} is refused by verification policy '{policy.Name}' (mode {policy.Mode}): {why}; nothing from it is applied or pruned");

    private static SourceException Refused(string display, string why) =>
        new($"git source {display}: {why}.") { Kind = SourceErrorKind.Integrity };
}
