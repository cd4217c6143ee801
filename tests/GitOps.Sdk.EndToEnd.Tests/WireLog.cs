using System.Collections.Concurrent;
using k8s;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// Records every request the engine's KubernetesClient sends to the emulator (method, path and query), and how many
/// object writes were in flight at once. Given to the target through <c>KubernetesTargetOptions.Client</c>.
/// </summary>
internal sealed class WireLog : DelegatingHandler
{
    private readonly ConcurrentQueue<string> _requests = new();
    private int _writesInFlight;
    private int _maxWritesInFlight;

    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Gets the most object writes (server-side apply, not dry-run) that were in flight at the same time.</summary>
    public int MaxWritesInFlight => Volatile.Read(ref _maxWritesInFlight);

    /// <summary>Gets or sets the path fragment whose writes are counted in <see cref="MaxWritesInFlight"/>.</summary>
    public string CountWritesTo { get; set; } = "/configmaps/";

    public static k8s.Kubernetes Client(string kubeconfigPath, WireLog log) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath), log);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        _requests.Enqueue($"{request.Method} {uri.PathAndQuery}");
        var counted = request.Method == HttpMethod.Patch
            && uri.AbsolutePath.Contains(CountWritesTo, StringComparison.Ordinal)
            && !uri.Query.Contains("dryRun", StringComparison.Ordinal);
        if (!counted)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var now = Interlocked.Increment(ref _writesInFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxWritesInFlight)) && Interlocked.CompareExchange(ref _maxWritesInFlight, now, seen) != seen)
        {
        }

        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _writesInFlight);
        }
    }
}
