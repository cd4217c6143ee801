using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;

namespace GitOps.Sdk.Git;

/// <summary>How a Git location is reached.</summary>
internal enum GitTransport
{
    Local,
    Http,
    GitDaemon,
    Ssh,
}

/// <summary>
/// A Git location split into what is connected to (credentials removed), what is printed, and the key of its cache.
/// </summary>
internal sealed class GitUrl
{
    private GitUrl(string connectUrl, GitTransport transport, string cacheKey, string? userName, string? password)
    {
        ConnectUrl = connectUrl;
        Transport = transport;
        CacheKey = cacheKey;
        UrlUserName = userName;
        UrlPassword = password;
        Display = SafeUrl.Redact(connectUrl);
    }

    /// <summary>Gets the URL handed to libgit2 or the HTTP client: never holds a password.</summary>
    public string ConnectUrl { get; }

    /// <summary>Gets the URL as it may be printed.</summary>
    public string Display { get; }

    /// <summary>Gets the transport.</summary>
    public GitTransport Transport { get; }

    /// <summary>Gets a hash of the normalized location: equal for spellings of one repository, never reveals credentials.</summary>
    public string CacheKey { get; }

    /// <summary>Gets a user name that was written in the URL (<c>https://user@host/…</c>).</summary>
    public string? UrlUserName { get; }

    /// <summary>Gets a password that was written in the URL; used only as a last resort, never printed.</summary>
    public string? UrlPassword { get; }

    /// <summary>Returns whether <paramref name="url"/> reads as a Git location (without asking the network).</summary>
    public static bool LooksLikeGit(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return false;
        }

        if (url.StartsWith("git://", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("git+ssh://", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var path = StripQuery(url).TrimEnd('/');
            return path.EndsWith(".git", StringComparison.OrdinalIgnoreCase);
        }

        if (url.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        if (IsScpLike(url))
        {
            return true;
        }

        try
        {
            return Directory.Exists(url) && Repository.IsValid(Path.GetFullPath(url));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or LibGit2SharpException)
        {
            return false;
        }
    }

    /// <summary>Parses a location.</summary>
    /// <exception cref="SourceException">The location is not a Git URL or path.</exception>
    public static GitUrl Parse(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        url = url.Trim();
        if (url.StartsWith("git+ssh://", StringComparison.OrdinalIgnoreCase))
        {
            url = url["git+".Length..];
        }

        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            var local = new Uri(url).LocalPath;
            return LocalPath(local);
        }

        if (!url.Contains("://", StringComparison.Ordinal))
        {
            if (IsScpLike(url))
            {
                // user@host:path — the path is relative to the login's home, unlike ssh://host/path.
                var colon = url.IndexOf(':', StringComparison.Ordinal);
                var hostPart = url[..colon];
                var pathPart = url[(colon + 1)..];
                var at = hostPart.LastIndexOf('@');
                var user = at >= 0 ? hostPart[..at] : null;
                var host = (at >= 0 ? hostPart[(at + 1)..] : hostPart).ToLowerInvariant();
                var key = $"scp://{user}@{host}:{TrimGitSuffix(pathPart)}";
                return new GitUrl(url, GitTransport.Ssh, Hash(key), user, null);
            }

            return LocalPath(url);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new SourceException($"'{SafeUrl.Redact(url)}' is not a valid Git URL.") { Kind = SourceErrorKind.Other };
        }

        var transport = uri.Scheme.ToLowerInvariant() switch
        {
            "http" or "https" => GitTransport.Http,
            "git" => GitTransport.GitDaemon,
            "ssh" => GitTransport.Ssh,
            _ => throw new SourceException($"'{SafeUrl.Redact(url)}': the scheme '{uri.Scheme}' is not a Git transport (use https, http, ssh, git or file).") { Kind = SourceErrorKind.Other },
        };

        string? userName = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            userName = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        var builder = new UriBuilder(uri) { Password = string.Empty };
        if (transport == GitTransport.Http)
        {
            // A user name in an HTTP URL is a credential, not part of the location: connect without it.
            builder.UserName = string.Empty;
        }

        var connect = builder.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped);
        var keyUser = transport == GitTransport.Ssh ? userName : null;
        var portPart = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var normalized = $"{uri.Scheme.ToLowerInvariant()}://{keyUser}@{uri.Host.ToLowerInvariant()}{portPart}{TrimGitSuffix(Uri.UnescapeDataString(uri.AbsolutePath))}";
        return new GitUrl(connect, transport, Hash(normalized), userName, password);
    }

    private static GitUrl LocalPath(string path)
    {
        var full = Path.GetFullPath(path);
        var trimmed = Path.TrimEndingDirectorySeparator(full);
        return new GitUrl(trimmed, GitTransport.Local, Hash("file://" + TrimGitSuffix(trimmed)), null, null);
    }

    private static bool IsScpLike(string url)
    {
        // host:path or user@host:path where the part before the first colon holds no slash (and is not a drive letter).
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 1)
        {
            return false;
        }

        var slash = url.IndexOf('/', StringComparison.Ordinal);
        return (slash < 0 || slash > colon) && colon < url.Length - 1;
    }

    private static string TrimGitSuffix(string path)
    {
        path = path.TrimEnd('/');
        return path.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path;
    }

    private static string StripQuery(string url)
    {
        var q = url.IndexOf('?', StringComparison.Ordinal);
        return q >= 0 ? url[..q] : url;
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}
