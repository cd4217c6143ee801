using System.Threading.Channels;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>A change as a watch delivers it.</summary>
internal sealed record WatchEvent(string Type, string StorageKey, StoredObject Object);

/// <summary>An open watch: the events matching its filter are queued to it.</summary>
internal sealed class Watcher
{
    public required string StorageKey { get; init; }

    public string? Namespace { get; init; }

    public required Func<StoredObject, bool> Filter { get; init; }

    public Channel<WatchEvent> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<WatchEvent>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public bool Overflowed { get; set; }
}
