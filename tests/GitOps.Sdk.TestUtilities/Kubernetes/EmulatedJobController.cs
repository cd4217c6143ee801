using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Sdk.Testing;

namespace GitOps.Sdk.TestUtilities.Kubernetes;

/// <summary>
/// Plays the Job controller the emulator does not run, the way a real cluster's would: it watches the Jobs of a namespace
/// over HTTP and, when a Job appears, writes through its <c>status</c> subresource the terminal status a Kubernetes 1.31+
/// Job controller writes (<c>SuccessCriteriaMet</c> then <c>Complete</c>, or <c>FailureTarget</c> then <c>Failed</c> after
/// the backoff limit), or leaves it running. Nothing else is faked: the engine reads the status like any other.
/// </summary>
public sealed class EmulatedJobController : IAsyncDisposable
{
    private readonly string _namespace;
    private readonly Func<string, bool?> _decide;
    private readonly Action<string>? _onCreated;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _created = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly TaskCompletionSource _watching = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;

    private EmulatedJobController(KubeApiEmulator api, string @namespace, Func<string, bool?> decide, Action<string>? onCreated)
    {
        _namespace = @namespace;
        _decide = decide;
        _onCreated = onCreated;
        _http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Gets the names of the Jobs seen created, in order (a Job created again appears again).</summary>
    public IReadOnlyList<string> Created => [.. _created];

    /// <summary>Gets the resourceVersion of each terminal status this controller wrote, by Job name (the last one).</summary>
    public ConcurrentDictionary<string, long> StatusWrittenAt { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts watching.</summary>
    /// <param name="api">The emulator.</param>
    /// <param name="namespace">The namespace whose Jobs it runs.</param>
    /// <param name="decide">For a Job name: <see langword="true"/> succeeds, <see langword="false"/> fails, <see langword="null"/> keeps running.</param>
    /// <param name="onCreated">Called when a Job appears, before its status is written (to look at the cluster at that moment).</param>
    /// <returns>The running controller, once its watch is open.</returns>
    public static async Task<EmulatedJobController> StartAsync(KubeApiEmulator api, string @namespace, Func<string, bool?> decide, Action<string>? onCreated = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        var controller = new EmulatedJobController(api, @namespace, decide, onCreated);
        controller._loop = Task.Run(controller.RunAsync);
        await controller._watching.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return controller;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _http.Dispose();
        _stop.Dispose();
        if (!_errors.IsEmpty)
        {
            throw new AggregateException("the emulated Job controller failed", _errors);
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var list = JsonNode.Parse(await _http.GetStringAsync(JobsPath(), token).ConfigureAwait(false))!;
        var resourceVersion = (string?)list["metadata"]?["resourceVersion"];
        using var response = await _http.GetAsync($"{JobsPath()}?watch=true&resourceVersion={resourceVersion}", HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        _watching.TrySetResult();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false));
        while (!token.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (line is null)
            {
                return;
            }

            if (line.Length == 0)
            {
                continue;
            }

            var e = JsonNode.Parse(line)!;
            if ((string?)e["type"] != "ADDED" || (string?)e["object"]?["metadata"]?["name"] is not { } name)
            {
                continue;
            }

            _created.Enqueue(name);
            try
            {
                _onCreated?.Invoke(name);
                if (_decide(name) is { } succeeded)
                {
                    await CompleteAsync(name, succeeded, token).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // Reported when the controller is disposed, so a test sees it.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                _errors.Enqueue(ex);
            }
        }
    }

    private async Task CompleteAsync(string name, bool succeeded, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        JsonObject Condition(string type, string? reason = null, string? message = null)
        {
            var c = new JsonObject { ["type"] = type, ["status"] = "True", ["lastProbeTime"] = now, ["lastTransitionTime"] = now };
            if (reason is not null)
            {
                c["reason"] = reason;
                c["message"] = message;
            }

            return c;
        }

        var status = succeeded
            ? new JsonObject
            {
                ["startTime"] = now,
                ["completionTime"] = now,
                ["succeeded"] = 1,
                ["ready"] = 0,
                ["terminating"] = 0,
                ["uncountedTerminatedPods"] = new JsonObject(),
                ["conditions"] = new JsonArray(
                    Condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
                    Condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods")),
            }
            : new JsonObject
            {
                ["startTime"] = now,
                ["failed"] = 1,
                ["ready"] = 0,
                ["terminating"] = 0,
                ["uncountedTerminatedPods"] = new JsonObject(),
                ["conditions"] = new JsonArray(
                    Condition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                    Condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")),
            };
        using var content = new StringContent(new JsonObject { ["status"] = status }.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{JobsPath()}/{name}/status?fieldManager=job-controller") { Content = content };
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"writing the status of Job {name} failed: {(int)response.StatusCode} {body}");
        }

        StatusWrittenAt[name] = long.Parse((string)JsonNode.Parse(body)!["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);
    }

    private string JobsPath() => $"/apis/batch/v1/namespaces/{_namespace}/jobs";
}
