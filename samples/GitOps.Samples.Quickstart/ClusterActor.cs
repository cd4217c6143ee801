using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GitOps.Samples.Quickstart;

/// <summary>
/// "Another actor": a person with kubectl, talking to the cluster through the real Kubernetes client with its own
/// field manager — the engine sees the change through its watch and attributes it to that manager.
/// </summary>
internal sealed class ClusterActor(string kubeconfig)
{
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

    public async Task DeleteServiceAsync(string ns, string name, CancellationToken cancellationToken) =>
        await _client.CoreV1.DeleteNamespacedServiceAsync(name, ns, cancellationToken: cancellationToken);

    public async Task ScaleDeploymentAsync(string ns, string name, int replicas, CancellationToken cancellationToken)
    {
        var patch = new V1Patch($"{{\"spec\":{{\"replicas\":{replicas}}}}}", V1Patch.PatchType.MergePatch);
        await _client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, ns, fieldManager: "kubectl-scale", cancellationToken: cancellationToken);
    }

    public async Task<bool> ServiceExistsAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<int?> GetReplicasAsync(string ns, string name, CancellationToken cancellationToken) =>
        (await _client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken)).Spec.Replicas;

    public async Task<string?> GetConfigValueAsync(string ns, string name, string key, CancellationToken cancellationToken)
    {
        var map = await _client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken);
        return map.Data is not null && map.Data.TryGetValue(key, out var value) ? value : null;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds or the token is cancelled.</summary>
    public async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition(cancellationToken))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
