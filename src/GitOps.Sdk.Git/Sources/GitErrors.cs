using System.Text.RegularExpressions;
using LibGit2Sharp;

namespace GitOps.Sdk.Git;

/// <summary>Turns libgit2 failures into <see cref="SourceException"/>s with a kind and a message safe to print.</summary>
internal static partial class GitErrors
{
    /// <summary>Classifies a libgit2 failure.</summary>
    /// <param name="exception">What libgit2 threw.</param>
    /// <param name="auth">The credentials in use (their secrets are scrubbed from the message).</param>
    /// <param name="what">What was being done, e.g. "listing refs of" or "fetching main from".</param>
    /// <param name="transportErrors">What the ssh client wrote to its error output, if anything.</param>
    /// <returns>The exception to throw.</returns>
    public static SourceException Map(Exception exception, GitAuth auth, string what, string? transportErrors = null)
    {
        var message = Scrub(string.IsNullOrWhiteSpace(transportErrors) ? exception.Message : $"{exception.Message}: {transportErrors.ReplaceLineEndings(" ")}", auth);
        if (auth.Url.Transport == GitTransport.Local && LocalProblem(auth.Url.ConnectUrl) is { } local)
        {
            // libgit2 says "unsupported URL protocol" for a path that is not there: name the real cause, keep its text inside.
            return new SourceException($"git source {auth.Url.Display}: {local} (while {what}).", new GitErrorDetail(message)) { Kind = SourceErrorKind.Other };
        }

        var lower = message.ToLowerInvariant();
        SourceErrorKind kind;
        string reason;
        if (auth.Refused || exception is GitAuthRefusedException || lower.Contains("authentication", StringComparison.Ordinal)
            || lower.Contains("401", StringComparison.Ordinal) || lower.Contains("403", StringComparison.Ordinal)
            || lower.Contains("permission denied", StringComparison.Ordinal) || lower.Contains("host key verification failed", StringComparison.Ordinal)
            || lower.Contains("credentials", StringComparison.Ordinal))
        {
            kind = SourceErrorKind.Unauthorized;
            reason = lower.Contains("host key verification failed", StringComparison.Ordinal)
                ? "the server's host key is not in the configured known_hosts (or has changed)"
                : auth.Url.Transport == GitTransport.Ssh
                ? "the SSH server refused the private key"
                : auth.UserName is null && auth.BearerToken is null
                    ? "the server requires credentials and none are configured"
                    : "the server refused the credentials" + (auth.UserName is null ? " (bearer token)" : $" of user '{auth.UserName}'");
        }
        else if (lower.Contains("certificate", StringComparison.Ordinal) || lower.Contains("ssl", StringComparison.Ordinal) || lower.Contains("tls", StringComparison.Ordinal))
        {
            kind = SourceErrorKind.Other;
            reason = "the server's TLS certificate is not trusted (set CaCertificatePem or InsecureSkipTlsVerify in its credentials)";
        }
        else if (lower.Contains("failed to connect", StringComparison.Ordinal) || lower.Contains("connection refused", StringComparison.Ordinal)
            || lower.Contains("could not resolve", StringComparison.Ordinal) || lower.Contains("failed to resolve", StringComparison.Ordinal)
            || lower.Contains("timed out", StringComparison.Ordinal) || lower.Contains("unreachable", StringComparison.Ordinal)
            || lower.Contains("connection reset", StringComparison.Ordinal) || lower.Contains("failed to send request", StringComparison.Ordinal)
            || lower.Contains("early eof", StringComparison.Ordinal) || lower.Contains("no route to host", StringComparison.Ordinal)
            || lower.Contains("could not resolve hostname", StringComparison.Ordinal))
        {
            kind = SourceErrorKind.Unreachable;
            reason = "the server cannot be reached";
        }
        else if (lower.Contains("not found", StringComparison.Ordinal) || lower.Contains("404", StringComparison.Ordinal)
            || lower.Contains("does not appear to be a git repository", StringComparison.Ordinal)
            || lower.Contains("not a git repository", StringComparison.Ordinal) || lower.Contains("could not find repository", StringComparison.Ordinal)
            || lower.Contains("unexpected http status code", StringComparison.Ordinal) || exception is RepositoryNotFoundException)
        {
            kind = SourceErrorKind.Other;
            reason = "repository not found";
        }
        else
        {
            kind = SourceErrorKind.Other;
            reason = "the Git operation failed";
        }

        return new SourceException($"git source {auth.Url.Display}: {reason} while {what} ({message}).", exception is GitAuthRefusedException ? null : new GitErrorDetail(message))
        {
            Kind = kind,
        };
    }

    /// <summary>What is wrong with a local repository path, or <see langword="null"/> when a repository is there.</summary>
    private static string? LocalProblem(string path)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                return File.Exists(path) ? "no repository there, the path is a file, not a folder" : "no repository there, the folder does not exist";
            }

            return Repository.IsValid(path) ? null : "no repository there, the folder is not a Git repository";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LibGit2SharpException)
        {
            return null;
        }
    }

    /// <summary>Removes secrets and URL user-info from <paramref name="text"/>.</summary>
    public static string Scrub(string text, GitAuth auth)
    {
        foreach (var secret in auth.Secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return UserInfo().Replace(text, "://***@");
    }

    [GeneratedRegex(@"://[^/@\s]+@")]
    private static partial Regex UserInfo();
}

/// <summary>The scrubbed text of a libgit2 error, kept as the inner exception (the original may quote a URL with credentials).</summary>
internal sealed class GitErrorDetail : Exception
{
    public GitErrorDetail(string message)
        : base(message)
    {
    }

    public GitErrorDetail()
    {
    }

    public GitErrorDetail(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
