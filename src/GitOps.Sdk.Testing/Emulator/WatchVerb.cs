using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The watch verb: the initial ADDED events, then the store's events as newline-delimited JSON, with bookmarks, <c>410 Expired</c> for a too-old resourceVersion, a timeout, and the stream ending when the emulator stops.</summary>
internal sealed class WatchVerb
{
    private readonly EmulatorCore _core;
    private readonly KubeApiEmulatorOptions _options;
    private readonly CancellationToken _stopping;

    public WatchVerb(EmulatorCore core, KubeApiEmulatorOptions options, CancellationToken stopping)
    {
        _core = core;
        _options = options;
        _stopping = stopping;
    }

    public async Task WatchAsync(HttpContext context, ResourceType type, string? ns, bool drop)
    {
        var (filter, _) = ApiHttp.Filters(context);
        var query = context.Request.Query;
        var rvText = (string?)query["resourceVersion"];
        long? fromRv = null;
        if (!string.IsNullOrEmpty(rvText) && rvText != "0")
        {
            if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            {
                throw StatusErrors.BadRequest($"Invalid value: \"{rvText}\": resourceVersion must be a number");
            }

            fromRv = rv;
        }

        var bookmarks = ApiHttp.IsTrue(query["allowWatchBookmarks"]);
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0
            ? TimeSpan.FromSeconds(t)
            : TimeSpan.FromMinutes(30);

        var (watcher, initial, expired, currentRv) = _core.Store.OpenWatch(type.StorageKey, ns, filter, fromRv);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        var body = response.Body;
        if (expired)
        {
            var oldest = _core.Store.OldestHistoryResourceVersion;
            var status = StatusErrors.Status(410, "Expired", $"too old resource version: {fromRv} ({oldest})", null);
            await WriteEventAsync(body, "ERROR", JsonSerializer.SerializeToUtf8Bytes(status, JsonValues.Wire), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var timeoutCts = new CancellationTokenSource(timeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, context.RequestAborted, _stopping);
        var token = linked.Token;
        try
        {
            foreach (var o in initial)
            {
                await WriteEventAsync(body, "ADDED", o.Bytes, token).ConfigureAwait(false);
            }

            await body.FlushAsync(token).ConfigureAwait(false);
            if (drop)
            {
                return;
            }

            var reader = watcher!.Channel.Reader;
            var lastRv = fromRv ?? currentRv;
            while (!token.IsCancellationRequested)
            {
                Task<bool> waitTask = reader.WaitToReadAsync(token).AsTask();
                if (bookmarks)
                {
                    using var bookmarkCts = CancellationTokenSource.CreateLinkedTokenSource(token);
                    var delay = Task.Delay(_options.BookmarkInterval, _options.TimeProvider, bookmarkCts.Token);
                    var finished = await Task.WhenAny(waitTask, delay).ConfigureAwait(false);
                    if (finished == delay)
                    {
                        var rvNow = Math.Max(lastRv, _core.Store.ResourceVersion);
                        await WriteEventAsync(body, "BOOKMARK", Bookmark(type, rvNow), token).ConfigureAwait(false);
                        await body.FlushAsync(token).ConfigureAwait(false);
                        continue;
                    }

                    await bookmarkCts.CancelAsync().ConfigureAwait(false);
                }

                if (!await waitTask.ConfigureAwait(false))
                {
                    return;
                }

                while (reader.TryRead(out var e))
                {
                    lastRv = e.Object.ResourceVersion;
                    await WriteEventAsync(body, e.Type, e.Object.Bytes, token).ConfigureAwait(false);
                }

                await body.FlushAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone, or the emulator stops: the stream simply ends.
        }
        finally
        {
            if (watcher is not null)
            {
                _core.Store.CloseWatch(watcher);
            }
        }
    }

    private static byte[] Bookmark(ResourceType type, long rv) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture), ["creationTimestamp"] = null },
        }, JsonValues.Wire);

    private static async Task WriteEventAsync(Stream body, string type, byte[] objectJson, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes("{\"type\":\"" + type + "\",\"object\":");
        await body.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(objectJson, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync("}\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }
}
