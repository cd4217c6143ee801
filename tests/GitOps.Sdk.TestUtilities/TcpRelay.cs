using System.Net;
using System.Net.Sockets;

namespace GitOps.Sdk.TestUtilities;

/// <summary>
/// A TCP listener on 127.0.0.1 that forwards each connection to <see cref="TargetPort"/>, or, while the target is
/// <see langword="null"/>, accepts the connection and never answers (a remote that hangs: the client's connect succeeds
/// and its first read waits forever). Connections held silent are counted and closed on dispose.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Task _loop;
    private int _silentConnections;

    private TcpRelay(int? targetPort)
    {
        TargetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Gets the port the relay listens on.</summary>
    public int Port { get; }

    /// <summary>Gets the address, <c>127.0.0.1:port</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Gets or sets the port new connections are forwarded to; <see langword="null"/> holds them silent.</summary>
    public int? TargetPort { get; set; }

    /// <summary>Gets the number of connections accepted and held without an answer.</summary>
    public int SilentConnections => Volatile.Read(ref _silentConnections);

    /// <summary>Starts a relay.</summary>
    /// <param name="targetPort">Where connections go; <see langword="null"/> for a remote that never answers.</param>
    /// <returns>The listening relay.</returns>
    public static TcpRelay Start(int? targetPort = null) => new(targetPort);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        lock (_held)
        {
            foreach (var client in _held)
            {
                client.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_held)
            {
                _held.Add(client);
            }

            if (TargetPort is { } target)
            {
                _ = Task.Run(() => ForwardAsync(client, target));
            }
            else
            {
                Interlocked.Increment(ref _silentConnections);
            }
        }
    }

    private async Task ForwardAsync(TcpClient client, int target)
    {
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
            await Task.WhenAll(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    // Copies one direction; at its end the other side is told no more will come (a half-close, as the peer did).
    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // A broken side ends both directions.
            from.Dispose();
            to.Dispose();
        }
    }
}
