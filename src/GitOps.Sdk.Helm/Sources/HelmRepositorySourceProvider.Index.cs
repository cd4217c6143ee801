using GitOps.Sdk.Shared;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;

namespace GitOps.Sdk.Helm.Sources;

/// <content>The repository index: conditional download to disk within limits, parsing the one chart asked for, and version selection.</content>
public sealed partial class HelmRepositorySourceProvider
{
    private async Task<(ChartIndexEntry Entry, string Repository, SourceCredentials? Credentials)> SelectAsync(SourceReference source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrWhiteSpace(source.Chart))
        {
            throw new SourceException($"{source}: a Helm repository source needs a chart name (SourceReference.Chart).") { Kind = SourceErrorKind.PathNotFound };
        }

        var repository = source.Url.TrimEnd('/');
        if (!Uri.TryCreate(repository + "/", UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new SourceException($"{source}: '{SafeUrl.Redact(source.Url)}' is not an http(s) URL.") { Kind = SourceErrorKind.Other };
        }

        var credentials = _credentials is null ? null : await _credentials.GetCredentialsAsync(source, cancellationToken).ConfigureAwait(false);
        var versions = await ReadChartVersionsAsync(source, repository, baseUri, credentials, cancellationToken).ConfigureAwait(false);
        var wanted = string.IsNullOrWhiteSpace(source.Ref) ? "*" : source.Ref.Trim();
        ChartIndexEntry? chosen;
        if (source.RefKind != SourceRefKind.Semver && !VersionSelector.LooksLikeRange(wanted))
        {
            chosen = versions.FirstOrDefault(v => v.Version == wanted)
                ?? (VersionSelector.TryParseVersion(wanted, out var exact)
                    ? versions.FirstOrDefault(v => VersionSelector.TryParseVersion(v.Version, out var candidate) && candidate.ComparePrecedenceTo(exact) == 0)
                    : null);
        }
        else
        {
            string? version;
            try
            {
                version = VersionSelector.SelectHighest(versions.Select(v => v.Version), wanted, source.IncludePrerelease);
            }
            catch (FormatException ex)
            {
                throw new SourceException($"{source}: {ex.Message}", ex) { Kind = SourceErrorKind.RefNotFound };
            }

            chosen = version is null ? null : versions.First(v => v.Version == version);
        }

        return chosen is null
            ? throw new SourceException($"{source}: no version of chart {source.Chart} matches '{wanted}' (the index lists {versions.Count}{(source.IncludePrerelease ? string.Empty : "; pre-releases excluded")}).") { Kind = SourceErrorKind.RefNotFound }
            : (chosen, repository, credentials);
    }

    private async Task<IReadOnlyList<ChartIndexEntry>> ReadChartVersionsAsync(SourceReference source, string repository, Uri baseUri, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        var indexUri = new Uri(baseUri, "index.yaml");
        var chart = source.Chart!;
        _indexes.TryGetValue(repository, out var state);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, indexUri);
        Authorize(request, credentials);
        if (state is not null && File.Exists(state.File))
        {
            if (state.ETag is not null)
            {
                request.Headers.IfNoneMatch.Add(state.ETag);
            }
            else if (state.LastModified is not null)
            {
                request.Headers.IfModifiedSince = state.LastModified;
            }
        }

        try
        {
            using var response = await _tls.Select(_http, credentials).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotModified && state is not null)
            {
                Log.IndexUnchanged(_logger, SafeUrl.Redact(repository));
            }
            else
            {
                EnsureSuccess(source, response, "index.yaml");
                state = await StoreIndexAsync(source, repository, response, linked.Token).ConfigureAwait(false);
                _indexes[repository] = state;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"{source}: the index did not arrive within {_options.RequestTimeout}.") { Kind = SourceErrorKind.Timeout };
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException)
        {
            throw new SourceException($"{source}: the repository's TLS certificate is not trusted (set CaCertificatePem or InsecureSkipTlsVerify in the source's credentials): {ex.InnerException.Message}", ex) { Kind = SourceErrorKind.Unreachable };
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{source}: the repository is unreachable: {ex.Message}", ex) { Kind = SourceErrorKind.Unreachable };
        }

        if (state.Charts.TryGetValue(chart, out var parsed))
        {
            return parsed;
        }

        List<ChartIndexEntry>? entries;
        try
        {
            using var reader = new StreamReader(state.File, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            entries = HelmIndexReader.ReadChart(reader, chart);
        }
        catch (YamlException ex)
        {
            throw new SourceException($"{source}: index.yaml is not a valid Helm index: {ex.Message}", ex) { Kind = SourceErrorKind.Other };
        }

        if (entries is null)
        {
            throw new SourceException($"{source}: the repository has no chart named '{chart}'.") { Kind = SourceErrorKind.RefNotFound };
        }

        state.Charts[chart] = entries;
        return entries;
    }

    private async Task<IndexState> StoreIndexAsync(SourceReference source, string repository, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength;
        if (length > _options.MaxIndexBytes)
        {
            throw new SourceException($"{source}: index.yaml is {length} bytes, more than the limit of {_options.MaxIndexBytes}.") { Kind = SourceErrorKind.Integrity };
        }

        var folder = Path.Combine(_options.CacheDirectory, "indexes");
        Directory.CreateDirectory(folder);
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository)))[..32];
        var file = Path.Combine(folder, $"{name}-{Guid.NewGuid():N}.yaml");
        long total;
        var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                total = await CopyLimitedAsync(body, output, _options.MaxIndexBytes, null, () => new SourceException($"{source}: index.yaml is larger than the limit of {_options.MaxIndexBytes} bytes.") { Kind = SourceErrorKind.Integrity }, cancellationToken).ConfigureAwait(false);
            }
        }

        Log.IndexDownloaded(_logger, SafeUrl.Redact(repository), total);
        if (_indexes.TryGetValue(repository, out var previous) && previous.File != file)
        {
            TryDeleteFile(previous.File);
        }

        return new IndexState(file, response.Headers.ETag, response.Content.Headers.LastModified);
    }

    private sealed record IndexState(string File, EntityTagHeaderValue? ETag, DateTimeOffset? LastModified)
    {
        public ConcurrentDictionary<string, List<ChartIndexEntry>> Charts { get; } = new(StringComparer.Ordinal);
    }
}
