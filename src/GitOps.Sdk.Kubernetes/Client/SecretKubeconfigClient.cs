using System.Net;
using System.Text;
using System.Text.Json;
using k8s;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// The client of a named target whose kubeconfig is a Secret in the management cluster. It stands in for the target's
/// <see cref="k8s.Kubernetes"/> (the parts hold it like any client); <see cref="KubeApiClient"/> asks it for the client of
/// the Secret's current content before each request. The Secret is read through the management cluster's client when
/// first needed and again after <see cref="KubeconfigSecretReference.RefreshInterval"/>; a new resourceVersion builds
/// a new client, the unchanged one keeps the current. Reading is serialised; content is never logged or put in a message.
/// </summary>
internal sealed class SecretKubeconfigClient : k8s.Kubernetes
{
    private readonly string _target;
    private readonly KubeconfigSecretReference _secret;
    private readonly string? _context;
    private readonly Lazy<KubeApiClient> _management;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private k8s.Kubernetes? _current;
    private string? _resourceVersion;
    private long _readAtTicks;

    public SecretKubeconfigClient(string target, KubeconfigSecretReference secret, string? context, Lazy<KubeApiClient> management, TimeProvider time)
        : base(new KubernetesClientConfiguration { Host = "https://kubeconfig-secret.invalid" })
    {
        _target = target;
        _secret = secret;
        _context = context;
        _management = management;
        _time = time;
    }

    /// <summary>Returns the client of the Secret's current content, reading the Secret when due.</summary>
    public async ValueTask<k8s.Kubernetes> CurrentAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && Fresh())
        {
            return current;
        }

        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is not null && Fresh())
            {
                return _current;
            }

            return await ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reading.Release();
        }
    }

    private async Task<k8s.Kubernetes> ReadAsync(CancellationToken cancellationToken)
    {
        var path = $"/api/v1/namespaces/{Uri.EscapeDataString(_secret.Namespace)}/secrets/{Uri.EscapeDataString(_secret.Name)}";
        var response = await _management.Value.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw Failure("does not exist in the management cluster");
        }

        if (!response.IsSuccess)
        {
            throw Failure($"could not be read from the management cluster: {response.Describe()}");
        }

        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        var resourceVersion = root.TryGetProperty("metadata", out var m) && m.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
        if (_current is not null && resourceVersion is not null && resourceVersion == _resourceVersion)
        {
            Volatile.Write(ref _readAtTicks, _time.GetUtcNow().UtcTicks);
            return _current;
        }

        if (!root.TryGetProperty("data", out var data) || !data.TryGetProperty(_secret.Key, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw Failure($"has no data key '{_secret.Key}'");
        }

        KubernetesClientConfiguration configuration;
        try
        {
            using var kubeconfig = new MemoryStream(Convert.FromBase64String(value.GetString()!));
            configuration = await KubernetesClientConfiguration.BuildConfigFromConfigFileAsync(kubeconfig, currentContext: _context).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any parse failure is reported the same way, without the content.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            throw Failure($"key '{_secret.Key}' is not a usable kubeconfig ({ex.GetType().Name})");
        }

        // Requests in flight on the previous client finish on it; it is left to the collector rather than disposed under them.
        var next = new k8s.Kubernetes(configuration);
        Volatile.Write(ref _current, next);
        _resourceVersion = resourceVersion;
        Volatile.Write(ref _readAtTicks, _time.GetUtcNow().UtcTicks);
        return next;
    }

    private bool Fresh() => _time.GetUtcNow().UtcTicks - Volatile.Read(ref _readAtTicks) < _secret.RefreshInterval.Ticks;

    private KubernetesApiException Failure(string what) =>
        new($"target '{_target}': the kubeconfig {_secret} (KubernetesTargetOptions.KubeconfigSecret) {what}");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _reading.Dispose();
        }

        base.Dispose(disposing);
    }
}
