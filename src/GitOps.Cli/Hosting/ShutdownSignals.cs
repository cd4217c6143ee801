using System.Runtime.InteropServices;

namespace GitOps.Cli.Hosting;

/// <summary>
/// Turns SIGTERM and SIGINT (also SIGQUIT) into a cancellation of the running command instead of the runtime's
/// default of ending the process at once: the current write finishes or is cancelled, rendering tools are killed with
/// their process tree, and the command exits with <see cref="ExitCode"/>. <see cref="PosixSignalRegistration"/> also
/// receives SIGINT when the shell started the process in the background (where SIGINT is ignored by default for
/// <c>cmd &amp;</c>). A second signal, or <see cref="GracePeriod"/> after the first, ends the process at once.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    /// <summary>How long a command may take to stop after the first signal.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(8);

    private static ShutdownSignals? _current;
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;

    public ShutdownSignals()
    {
        ReceiveInterruptInBackground();
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }

        _current = this;
    }

    /// <summary>Gets the signal that stopped the process (in the current process), if any.</summary>
    public static PosixSignal? Received => _current is { _signal: not 0 } s ? (PosixSignal)s._signal : null;

    /// <summary>Gets the exit code of a command interrupted before it finished: 128 + the signal number (130 for SIGINT, 143 for SIGTERM), as shells report it.</summary>
    public static int ExitCode => Received switch
    {
        PosixSignal.SIGTERM => 143,
        PosixSignal.SIGQUIT => 131,
        _ => 130,
    };

    /// <summary>Gets a token cancelled by the first signal.</summary>
    public CancellationToken Token => _cts.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        Interlocked.CompareExchange(ref _current, null, this);
        _cts.Dispose();
    }

    /// <summary>
    /// A shell starts <c>cmd &amp;</c> with SIGINT and SIGQUIT ignored, and the runtime keeps an ignored signal ignored,
    /// so <see cref="PosixSignalRegistration"/> would never see them. Restoring the default disposition before the
    /// runtime installs its handlers (the first registration does that) lets them reach the registration. Tools started
    /// later then also get the default disposition: they end on SIGINT, which is what stopping wants.
    /// </summary>
    private static void ReceiveInterruptInBackground()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        try
        {
            foreach (var signal in new[] { 2 /* SIGINT */, 3 /* SIGQUIT */ })
            {
                var previous = NativeMethods.Signal(signal, NativeMethods.SigDfl);
                if (previous != NativeMethods.SigIgn && previous != NativeMethods.SigDfl)
                {
                    // Something installed a handler already: leave it in place.
                    NativeMethods.Signal(signal, previous);
                }
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library the runtime cannot bind by this name: SIGINT in the background stays ignored, SIGTERM still works.
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: the command stops itself within the grace period.
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) != 0)
        {
            // A second signal: the user insists.
            Environment.Exit(ExitCode);
            return;
        }

        _ = Task.Run(async () =>
        {
            await _cts.CancelAsync().ConfigureAwait(false);
            await Task.Delay(GracePeriod, TimeProvider.System).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"gitops: did not stop within {GracePeriod.TotalSeconds:0} s of {context.Signal}; exiting").ConfigureAwait(false);
            Environment.Exit(ExitCode);
        });
    }
}

/// <summary>The C library's <c>signal(2)</c>, for <see cref="ShutdownSignals"/>.</summary>
internal static partial class NativeMethods
{
    public static readonly IntPtr SigDfl = IntPtr.Zero;
    public static readonly IntPtr SigIgn = new(1);

    [DllImport("libc", EntryPoint = "signal", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "SYSLIB1054", Justification = "A two-argument blittable call; no marshalling to generate.")]
    private static extern IntPtr signal(int signum, IntPtr handler);

    public static IntPtr Signal(int signum, IntPtr handler) => signal(signum, handler);
}
