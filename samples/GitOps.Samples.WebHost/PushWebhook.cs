using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitOps.Samples.WebHost;

/// <summary>
/// Checks and reads push webhooks as GitHub, Gitea and Forgejo send them: the raw body is signed with HMAC-SHA256 under
/// a shared secret and the signature sent as <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>.
/// </summary>
public static class PushWebhook
{
    /// <summary>The signature header name.</summary>
    public const string SignatureHeader = "X-Hub-Signature-256";

    /// <summary>Computes the header value for a body (what the Git server sends).</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="body">The raw request body.</param>
    /// <returns><c>sha256=</c> and the lower-case hex HMAC.</returns>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Checks a signature header against the body in constant time.</summary>
    /// <param name="secret">The shared secret; <see langword="null"/> or empty refuses everything.</param>
    /// <param name="body">The raw request body.</param>
    /// <param name="header">The <c>X-Hub-Signature-256</c> value as received.</param>
    /// <returns>Whether the signature is valid.</returns>
    public static bool Verify(string? secret, ReadOnlySpan<byte> body, string? header)
    {
        const string prefix = "sha256=";
        if (string.IsNullOrEmpty(secret) || header is null || !header.StartsWith(prefix, StringComparison.Ordinal)
            || header.Length != prefix.Length + 64)
        {
            return false;
        }

        Span<byte> received = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(prefix.Length), received, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }

    /// <summary>Reads the repository URLs a push payload names (<c>repository.clone_url</c>, <c>html_url</c>, <c>ssh_url</c>, <c>url</c>).</summary>
    /// <param name="body">The JSON payload.</param>
    /// <returns>The distinct URLs; empty when the payload is not a push payload.</returns>
    public static IReadOnlyList<string> RepositoryUrls(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("repository", out var repo) || repo.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            return [.. new[] { "clone_url", "html_url", "ssh_url", "git_url", "url" }
                .Select(p => repo.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
                .OfType<string>()
                .Where(u => u.Length > 0)
                .Distinct(StringComparer.Ordinal)];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
