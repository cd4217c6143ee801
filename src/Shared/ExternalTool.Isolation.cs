// Network isolation for the external-tool runner: kept apart from the runner itself (ExternalTool.cs) so that changes to
// process handling and to isolation do not collide.
using GitOps.Sdk;

namespace GitOps.Sdk.Rendering.Tools;

/// <content>Running a tool without network access.</content>
internal static partial class ExternalTool
{
    private static readonly SemaphoreSlim IsolationProbeGate = new(1, 1);
    private static IsolationSupport? s_isolation;

    /// <summary>
    /// Returns the command that runs <paramref name="fileName"/> with <paramref name="arguments"/> under
    /// <paramref name="mode"/>: wrapped in <c>unshare --net</c> (as root) or <c>unshare --user --map-root-user --net</c>
    /// when the platform allows it, else the command as given with the reason isolation is unavailable.
    /// </summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="mode">The isolation asked for.</param>
    /// <param name="timeProvider">The clock for the one-time probe.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The command to run and whether it is isolated.</returns>
    public static async Task<IsolatedCommand> IsolateAsync(string fileName, IReadOnlyList<string> arguments, ToolNetworkIsolation mode, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // A missing program is reported as such by the runner (start failure), not as a failing "unshare".
        if (mode == ToolNetworkIsolation.Off || !File.Exists(fileName))
        {
            return new IsolatedCommand(fileName, arguments, Isolated: false, UnavailableReason: null);
        }

        var support = await ProbeIsolationAsync(timeProvider, cancellationToken).ConfigureAwait(false);
        if (support.Prefix is not { } prefix)
        {
            return new IsolatedCommand(fileName, arguments, Isolated: false, support.Reason);
        }

        return new IsolatedCommand(prefix[0], [.. prefix.Skip(1), fileName, .. arguments], Isolated: true, UnavailableReason: null);
    }

    /// <summary>Finds, once per process, a way to start a program in a new network namespace.</summary>
    private static async Task<IsolationSupport> ProbeIsolationAsync(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref s_isolation) is { } known)
        {
            return known;
        }

        await IsolationProbeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (s_isolation is not null)
            {
                return s_isolation;
            }

            var support = await FindIsolationAsync(timeProvider, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref s_isolation, support);
            return support;
        }
        finally
        {
            IsolationProbeGate.Release();
        }
    }

    private static async Task<IsolationSupport> FindIsolationAsync(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new IsolationSupport(null, $"network isolation needs Linux network namespaces (this is {System.Runtime.InteropServices.RuntimeInformation.OSDescription})");
        }

        var unshare = FindOnPath("unshare") ?? (File.Exists("/usr/bin/unshare") ? "/usr/bin/unshare" : null);
        if (unshare is null)
        {
            return new IsolationSupport(null, "'unshare' (util-linux) is not installed");
        }

        var probe = FindOnPath("true") ?? "/bin/true";
        string[][] candidates =
        [
            [unshare, "--net", "--"],
            [unshare, "--user", "--map-root-user", "--net", "--"],
        ];
        var reasons = new List<string>();
        foreach (var candidate in candidates)
        {
            var result = await RunAsync(candidate[0], [.. candidate.Skip(1), probe], Path.GetTempPath(), new Dictionary<string, string?>(), TimeSpan.FromSeconds(30), 4096, timeProvider, cancellationToken).ConfigureAwait(false);
            if (result is { ExitCode: 0, StartFailed: false, TimedOut: false })
            {
                return new IsolationSupport(candidate, null);
            }

            reasons.Add($"'{string.Join(' ', candidate.Skip(1).SkipLast(1))}': {TrimError(result.StandardError) switch { { Length: > 0 } e => e, _ => $"exit {result.ExitCode}" }}");
        }

        return new IsolationSupport(null, $"unshare could not create a network namespace ({string.Join("; ", reasons)}); run as root or allow unprivileged user namespaces");
    }

    private sealed record IsolationSupport(string[]? Prefix, string? Reason);
}

/// <summary>A tool command, possibly wrapped to run without network.</summary>
/// <param name="FileName">The program to start.</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="Isolated">Whether the tool runs without network access.</param>
/// <param name="UnavailableReason">Why isolation was asked for but is unavailable, else <see langword="null"/>.</param>
internal sealed record IsolatedCommand(string FileName, IReadOnlyList<string> Arguments, bool Isolated, string? UnavailableReason);
