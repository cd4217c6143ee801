using System.CommandLine;
using System.Runtime.InteropServices;
using GitOps.Sdk.Testing;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops emulator</c>: runs the Kubernetes API emulator in the foreground until Ctrl+C or SIGTERM,
/// writing a kubeconfig for kubectl and other clients; optionally persisting state to a folder.
/// </summary>
internal sealed class EmulatorCommand : ICliCommand
{
    public Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 0 };
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Where to write the kubeconfig for the emulator.", Required = true };
        var stateDir = new Option<string?>("--state-dir") { Description = "Folder to keep state in: loaded at start, every change written to disk before it is answered (survives a kill)." };
        var tls = new Option<bool>("--tls") { Description = "Serve HTTPS with a self-signed certificate (trusted by the kubeconfig)." };
        var establishDelay = new Option<int>("--crd-establish-delay-ms")
        {
            Description = "Milliseconds until a new CRD is Established and served, like a real API server (0: at once).",
            DefaultValueFactory = _ => (int)new KubeApiEmulatorOptions().CrdEstablishDelay.TotalMilliseconds,
        };
        establishDelay.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--crd-establish-delay-ms must be 0 or more.");
            }
        });
        var command = new Command("emulator", "Run an in-process Kubernetes API server emulator in the foreground (Ctrl+C stops it).")
        {
            port,
            kubeconfig,
            stateDir,
            tls,
            establishDelay,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new KubeApiEmulatorOptions
            {
                Port = parseResult.GetValue(port),
                KubeconfigPath = parseResult.GetValue(kubeconfig),
                StateDirectory = parseResult.GetValue(stateDir),
                UseTls = parseResult.GetValue(tls),
                CrdEstablishDelay = TimeSpan.FromMilliseconds(parseResult.GetValue(establishDelay)),
            };
            return await RunAsync(options, parseResult.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    internal static async Task<int> RunAsync(KubeApiEmulatorOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        await using var emulator = await KubeApiEmulator.StartAsync(options, stop.Token).ConfigureAwait(false);
        await output.WriteLineAsync($"Kubernetes API emulator listening on {emulator.BaseAddress}").ConfigureAwait(false);
        await output.WriteLineAsync($"kubeconfig: {emulator.KubeconfigPath}").ConfigureAwait(false);
        if (options.StateDirectory is not null)
        {
            await output.WriteLineAsync($"state: {Path.GetFullPath(options.StateDirectory)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync("Press Ctrl+C to stop.").ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        await output.WriteLineAsync("Stopping.").ConfigureAwait(false);
        return 0;
    }
}
