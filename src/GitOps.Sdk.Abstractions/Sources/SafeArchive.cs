using System.Formats.Tar;
using System.IO.Compression;

namespace GitOps.Sdk;

/// <summary>
/// Extracts archives fetched from sources (Helm chart <c>.tgz</c> files, OCI layers) without letting their content
/// escape the target folder or exhaust the disk. Shared by the Helm repository and OCI source providers.
/// </summary>
/// <remarks>
/// <para>Rules, each refused with a <see cref="SourceException"/> of kind <see cref="SourceErrorKind.Integrity"/>
/// that names the offending entry:</para>
/// <list type="bullet">
/// <item>entry names that are absolute (<c>/etc/passwd</c>, <c>C:\…</c>), contain a <c>..</c> segment, a backslash or a NUL;</item>
/// <item>every link, symbolic or hard, wherever it points. Helm's <c>helm package</c> and Flux's
/// <c>flux push artifact</c> both store the link targets' content rather than links, so a link in a chart or bundle is
/// either hand-made or hostile; refusing all of them leaves no link-chasing tricks to reason about
/// (a symlink that points inside and is later written through, chains of links, hard links to files outside);</item>
/// <item>devices, FIFOs and any other entry type that is not a regular file or a directory;</item>
/// <item>more entries than <see cref="ArchiveLimits.MaxEntries"/>, a file larger than <see cref="ArchiveLimits.MaxFileBytes"/>,
/// or more than <see cref="ArchiveLimits.MaxTotalBytes"/> uncompressed bytes in all (checked while writing, so a
/// gzip bomb is stopped early).</item>
/// </list>
/// <para>Modes, owners and timestamps in the archive are ignored: files are created with the process' defaults.
/// A refused archive may leave partial content behind; extract into a fresh staging folder and move it into place
/// only on success.</para>
/// </remarks>
public static class SafeArchive
{
    private const int CopyBufferSize = 81920;

    /// <summary>Extracts a gzip-compressed tar stream into <paramref name="destinationDirectory"/>.</summary>
    /// <param name="source">The <c>.tar.gz</c> stream; read to the end of the archive, not disposed.</param>
    /// <param name="destinationDirectory">The folder to extract into; created when missing.</param>
    /// <param name="limits">Size and count limits.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns>A summary of what was written.</returns>
    /// <exception cref="SourceException">The archive is corrupt or broke a rule (kind <see cref="SourceErrorKind.Integrity"/>).</exception>
    public static async Task<ArchiveExtractionResult> ExtractTarGzAsync(
        Stream source,
        string destinationDirectory,
        ArchiveLimits limits,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(destinationDirectory);
        ArgumentNullException.ThrowIfNull(limits);

        var gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            return await ExtractTarAsync(gzip, destinationDirectory, limits, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Extracts an uncompressed tar stream into <paramref name="destinationDirectory"/> under the same rules as <see cref="ExtractTarGzAsync"/>.</summary>
    /// <param name="source">The tar stream; not disposed.</param>
    /// <param name="destinationDirectory">The folder to extract into; created when missing.</param>
    /// <param name="limits">Size and count limits.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns>A summary of what was written.</returns>
    /// <exception cref="SourceException">The archive is corrupt or broke a rule (kind <see cref="SourceErrorKind.Integrity"/>).</exception>
    public static async Task<ArchiveExtractionResult> ExtractTarAsync(
        Stream source,
        string destinationDirectory,
        ArchiveLimits limits,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(destinationDirectory);
        ArgumentNullException.ThrowIfNull(limits);

        var root = Path.GetFullPath(destinationDirectory);
        Directory.CreateDirectory(root);
        var rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;

        var entries = 0;
        var files = 0;
        long total = 0;
        var buffer = new byte[CopyBufferSize];
        var reader = new TarReader(source, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                TarEntry? entry;
                try
                {
                    entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or IOException)
                {
                    throw Refuse($"the archive is not a valid tar.gz stream after {entries} entries: {ex.Message}", ex);
                }

                if (entry is null)
                {
                    break;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }

                if (++entries > limits.MaxEntries)
                {
                    throw Refuse($"the archive has more than {limits.MaxEntries} entries (at entry '{Printable(entry.Name)}')");
                }

                var relative = CheckName(entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        if (relative.Length > 0)
                        {
                            Directory.CreateDirectory(Resolve(rootWithSeparator, relative, entry.Name));
                        }

                        break;

                    case TarEntryType.RegularFile:
                    case TarEntryType.V7RegularFile:
                    case TarEntryType.ContiguousFile:
                        if (relative.Length == 0)
                        {
                            throw Refuse($"entry '{Printable(entry.Name)}' is a file without a name");
                        }

                        if (entry.Length > limits.MaxFileBytes)
                        {
                            throw Refuse($"entry '{Printable(entry.Name)}' is {entry.Length} bytes, more than the limit of {limits.MaxFileBytes}");
                        }

                        if (total + entry.Length > limits.MaxTotalBytes)
                        {
                            throw Refuse($"entry '{Printable(entry.Name)}' takes the archive past the limit of {limits.MaxTotalBytes} uncompressed bytes");
                        }

                        var path = Resolve(rootWithSeparator, relative, entry.Name);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        if (Directory.Exists(path))
                        {
                            throw Refuse($"entry '{Printable(entry.Name)}' is a file where the archive already made a directory");
                        }

                        total += await WriteFileAsync(entry, path, buffer, limits, total, cancellationToken).ConfigureAwait(false);
                        files++;
                        break;

                    case TarEntryType.SymbolicLink:
                    case TarEntryType.HardLink:
                        throw Refuse($"entry '{Printable(entry.Name)}' is a {(entry.EntryType == TarEntryType.HardLink ? "hard" : "symbolic")} link to '{Printable(entry.LinkName)}'; archives with links are refused");

                    default:
                        throw Refuse($"entry '{Printable(entry.Name)}' has type {entry.EntryType}; only regular files and directories are extracted");
                }
            }
        }

        return new ArchiveExtractionResult(files, entries, total);
    }

    private static async Task<long> WriteFileAsync(TarEntry entry, string path, byte[] buffer, ArchiveLimits limits, long totalSoFar, CancellationToken cancellationToken)
    {
        long written = 0;
        var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            var data = entry.DataStream;
            if (data is null)
            {
                return 0;
            }

            try
            {
                int read;
                while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    written += read;

                    // The header's size is checked up front; counting again guards against readers that trust it less.
                    if (written > limits.MaxFileBytes || totalSoFar + written > limits.MaxTotalBytes)
                    {
                        throw Refuse($"entry '{Printable(entry.Name)}' is larger than the archive limits allow");
                    }

                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
            {
                throw Refuse($"entry '{Printable(entry.Name)}' is truncated or corrupt: {ex.Message}", ex);
            }
        }

        return written;
    }

    /// <summary>Checks an entry name and returns it as a relative path with '/' separators ('' for the root itself).</summary>
    private static string CheckName(string name)
    {
        if (name.Length == 0)
        {
            throw Refuse("an entry has an empty name");
        }

        if (name.Contains('\0', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            throw Refuse($"entry '{Printable(name)}' has a backslash or NUL in its name");
        }

        if (name[0] == '/' || Path.IsPathRooted(name) || (name.Length >= 2 && name[1] == ':'))
        {
            throw Refuse($"entry '{Printable(name)}' has an absolute path");
        }

        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kept = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            if (segment == "..")
            {
                throw Refuse($"entry '{Printable(name)}' points outside the target folder ('..')");
            }

            if (segment != ".")
            {
                kept.Add(segment);
            }
        }

        return string.Join('/', kept);
    }

    private static string Resolve(string rootWithSeparator, string relative, string name)
    {
        var full = Path.GetFullPath(Path.Combine(rootWithSeparator, relative));
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw Refuse($"entry '{Printable(name)}' resolves outside the target folder");
        }

        return full;
    }

    private static string Printable(string? name)
    {
        if (name is null)
        {
            return string.Empty;
        }

        var text = name.Replace("\0", "\\0", StringComparison.Ordinal);
        return text.Length > 200 ? string.Concat(text.AsSpan(0, 200), "…") : text;
    }

    private static SourceException Refuse(string message, Exception? inner = null) =>
        new($"Unsafe archive refused: {message}.", inner) { Kind = SourceErrorKind.Integrity };
}

/// <summary>What <see cref="SafeArchive"/> wrote.</summary>
/// <param name="Files">The number of regular files written.</param>
/// <param name="Entries">The number of entries processed (files and directories).</param>
/// <param name="TotalBytes">The uncompressed bytes written.</param>
public sealed record ArchiveExtractionResult(int Files, int Entries, long TotalBytes);
