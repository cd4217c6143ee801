using GitOps.Sdk.Testing;
using Xunit;

namespace GitOps.Sdk.TestUtilities.Kubernetes;

/// <summary>
/// An xunit fixture running one <see cref="KubeApiEmulator"/> for a test class (<c>IClassFixture&lt;KubeApiEmulatorFixture&gt;</c>),
/// with a namespace <c>fixtures</c> created, like the recorded corpus uses.
/// </summary>
public sealed class KubeApiEmulatorFixture : IAsyncLifetime
{
    /// <summary>Gets the running emulator.</summary>
    public KubeApiEmulator Api { get; private set; } = null!;

    /// <summary>Gets the kubeconfig of the emulator (for KubernetesClient or kubectl --kubeconfig).</summary>
    public string KubeconfigPath => Api.KubeconfigPath;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Api = await KubeApiEmulator.StartAsync().ConfigureAwait(false);
        await Api.ApplyAsAsync("test-setup", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fixtures\n").ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync() => await Api.DisposeAsync().ConfigureAwait(false);
}
