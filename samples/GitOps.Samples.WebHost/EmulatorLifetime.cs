using GitOps.Sdk.Testing;

namespace GitOps.Samples.WebHost;

/// <summary>Owns the embedded emulator so it stops when the host's services are disposed.</summary>
internal sealed class EmulatorLifetime(KubeApiEmulator emulator) : IAsyncDisposable
{
    public KubeApiEmulator Emulator { get; } = emulator;

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
}
