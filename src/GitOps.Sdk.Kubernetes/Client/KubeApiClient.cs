using System.Net;
using System.Net.Http.Headers;
using System.Text;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Raw HTTP access to the API server through the <see cref="k8s.Kubernetes"/> client's own handler pipeline and
/// credentials (TLS, tokens, exec plugins), for any group/version/resource. Retries 429, 5xx, timeouts and
/// connection failures with exponential backoff, honouring <c>Retry-After</c>; all waiting goes through the
/// <see cref="TimeProvider"/>.
/// </summary>
internal sealed class KubeApiClient
{
    public const string ApplyPatchContentType = "application/apply-patch+yaml";
    public const string MergePatchContentType = "application/merge-patch+json";
    public const string JsonPatchContentType = "application/json-patch+json";

    private readonly k8s.Kubernetes _kubernetes;
    private readonly KubernetesTargetOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public KubeApiClient(IKubernetes kubernetes, KubernetesTargetOptions options, TimeProvider? timeProvider, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        _kubernetes = kubernetes as k8s.Kubernetes
            ?? throw new ArgumentException("The Kubernetes target needs a k8s.Kubernetes client (it sends raw requests through its handler pipeline).", nameof(kubernetes));
        _options = options ?? new KubernetesTargetOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public KubernetesTargetOptions Options => _options;

    public TimeProvider Time => _time;

    public ILogger Logger => _logger;

    public Task<KubeResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, null, retry: true, cancellationToken);

    /// <summary>Sends a request, retrying transient failures. Non-success answers are returned, not thrown.</summary>
    public async Task<KubeResponse> SendAsync(
        HttpMethod method,
        string path,
        byte[]? body,
        string? contentType,
        bool retry,
        CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan? retryAfter = null;
            string failure;
            using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    var kubernetes = await CurrentAsync(linked.Token).ConfigureAwait(false);
                    using var request = CreateRequest(kubernetes, method, path, body, contentType);
                    await AuthenticateAsync(kubernetes, request, linked.Token).ConfigureAwait(false);
                    using var response = await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
                    var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
                    var result = new KubeResponse(response.StatusCode, bytes);
                    if (!retry || !IsTransient(response.StatusCode) || attempt >= _options.MaxRetries)
                    {
                        return result;
                    }

                    retryAfter = ReadRetryAfter(response.Headers);
                    failure = $"{(int)response.StatusCode} {result.Status?.Message ?? response.ReasonPhrase}";
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
                {
                    if (!retry || attempt >= _options.MaxRetries)
                    {
                        return new KubeResponse(HttpStatusCode.GatewayTimeout, Encoding.UTF8.GetBytes(
                            $"{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Timeout\",\"code\":504,\"message\":\"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s\"}}"));
                    }

                    failure = "timeout";
                }
                catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    if (!retry || attempt >= _options.MaxRetries)
                    {
                        return new KubeResponse(HttpStatusCode.ServiceUnavailable, Encoding.UTF8.GetBytes(
                            $"{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"ServiceUnavailable\",\"code\":503,\"message\":{System.Text.Json.JsonSerializer.Serialize("the API server could not be reached: " + ex.Message)}}}"));
                    }

                    failure = ex.Message;
                }
            }

            var delay = BackoffDelay(attempt, retryAfter);
            attempt++;
            Log.Retrying(_logger, method.Method, path, failure, attempt, delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Opens a streaming GET (watch). The caller owns the response.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken cancellationToken)
    {
        var kubernetes = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        using var request = CreateRequest(kubernetes, HttpMethod.Get, path, null, null);
        await AuthenticateAsync(kubernetes, request, cancellationToken).ConfigureAwait(false);
        return await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    public TimeSpan BackoffDelay(int attempt, TimeSpan? retryAfter)
    {
        var max = _options.MaxRetryDelay;
        if (retryAfter is { } ra)
        {
            return ra > max ? max : ra;
        }

        var baseMs = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20));

        // Up to 20% jitter so that many clients do not retry in lockstep.
        var jitter = 1 + (System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 200) / 1000.0);
        var ms = Math.Min(baseMs * jitter, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests
            or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout;

    internal TimeSpan? ReadRetryAfter(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>The client to send through: the given one, or for a kubeconfig kept in a Secret, the one of its current content.</summary>
    private ValueTask<k8s.Kubernetes> CurrentAsync(CancellationToken cancellationToken) =>
        _kubernetes is SecretKubeconfigClient fromSecret ? fromSecret.CurrentAsync(cancellationToken) : ValueTask.FromResult(_kubernetes);

    private static HttpRequestMessage CreateRequest(k8s.Kubernetes kubernetes, HttpMethod method, string path, byte[]? body, string? contentType)
    {
        var request = new HttpRequestMessage(method, new Uri(kubernetes.BaseUri, path.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        return request;
    }

    private static async Task AuthenticateAsync(k8s.Kubernetes kubernetes, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (kubernetes.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
