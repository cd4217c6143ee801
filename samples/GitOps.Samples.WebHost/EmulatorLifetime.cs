using GitOps.Samples.Quickstart;
using GitOps.Sdk.Testing;

namespace GitOps.Samples.WebHost;

/// <summary>Owns the embedded emulator (and the demo repository made for it) so they go when the host's services are disposed.</summary>
internal sealed class EmulatorLifetime(KubeApiEmulator emulator, DemoRepository? demo) : IAsyncDisposable
{
    public KubeApiEmulator Emulator { get; } = emulator;

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        demo?.Dispose();
    }
}
