using System.Text.Json;

namespace GitOps.Sdk.Shared;

/// <summary>
/// Folder operations of the digest-keyed content caches of the Helm and OCI sources: content is extracted into a
/// staging folder, then published by one rename, so a reader never sees a half-written cache entry.
/// </summary>
internal static class ContentCacheFolders
{
    /// <summary>Moves <paramref name="staging"/> to <paramref name="final"/>; a concurrent fetch that published the same digest first wins (same content).</summary>
    public static void Publish(string staging, string final)
    {
        try
        {
            Directory.Move(staging, final);
        }
        catch (IOException) when (Directory.Exists(final))
        {
            // Another fetch cached the same digest meanwhile: same bytes, keep theirs.
        }
    }

    /// <summary>Reads the JSON marker a cache entry was published with, or <see langword="null"/> when it is missing or unreadable.</summary>
    public static T? TryReadMarker<T>(string folder, string markerFile)
        where T : class
    {
        var marker = Path.Combine(folder, markerFile);
        if (!File.Exists(marker))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(marker));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Deletes a folder, ignoring failures (best-effort clean-up of staging folders).</summary>
    public static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
