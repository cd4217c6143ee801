// Shared by the packages that run an external renderer (helm, kustomize). Linked into each project as source so that
// no public "process runner" API has to be supported; the type stays internal to every assembly that links it.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace GitOps.Sdk.Rendering.Tools;

/// <summary>Runs a renderer's command-line tool with a timeout, killing the whole process tree when it is exceeded or cancelled.</summary>
internal static partial class ExternalTool
{
    /// <summary>The most standard error text kept (the end is kept: tools print the cause last).</summary>
    public const int MaxStandardErrorChars = 8 * 1024;

    /// <summary>Returns the full path of <paramref name="name"/> on PATH, or <see langword="null"/>.</summary>
    /// <param name="name">The executable name.</param>
    /// <returns>The full path, or <see langword="null"/>.</returns>
    public static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (dir.Length == 0)
            {
                continue;
            }

            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs <paramref name="fileName"/> and collects its output.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">The arguments (passed as a list, never through a shell).</param>
    /// <param name="workingDirectory">The working folder.</param>
    /// <param name="environment">Environment variables to set (a <see langword="null"/> value removes the variable).</param>
    /// <param name="timeout">How long the tool may run.</param>
    /// <param name="maxOutputBytes">The most standard output accepted; more is an error (a runaway template).</param>
    /// <param name="timeProvider">The clock for the timeout.</param>
    /// <param name="cancellationToken">Cancels the run (the process tree is killed).</param>
    /// <returns>The outcome.</returns>
    public static async Task<ToolResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        long maxOutputBytes,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ToolResult(-1, string.Empty, ex.Message, TimedOut: false, OutputTooLarge: false, StartFailed: true);
        }

        var tracked = TrackUntilExit(process);
        try
        {
            return await WaitAsync(process, timeout, maxOutputBytes, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Untrack(tracked);
        }
    }

    private static async Task<ToolResult> WaitAsync(Process process, TimeSpan timeout, long maxOutputBytes, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        process.StandardInput.Close();
        using var timeoutCts = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
        using var outputTooLarge = new CancellationTokenSource();
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, outputTooLarge.Token);

        var stdoutTask = ReadLimitedAsync(process.StandardOutput, maxOutputBytes, outputTooLarge);
        var stderrTask = ReadTailAsync(process.StandardError);
        string stdout;
        string stderr;
        try
        {
            // A child the tool left running can hold the pipes open after the tool exits; the timeout covers that too.
            await process.WaitForExitAsync(stopAll.Token).ConfigureAwait(false);
            stdout = await stdoutTask.WaitAsync(stopAll.Token).ConfigureAwait(false);
            stderr = await stderrTask.WaitAsync(stopAll.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            try
            {
                stderr = await stderrTask.WaitAsync(TimeSpan.FromSeconds(5), timeProvider, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                stderr = string.Empty;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new ToolResult(-1, string.Empty, stderr, TimedOut: timeoutCts.IsCancellationRequested, OutputTooLarge: outputTooLarge.IsCancellationRequested, StartFailed: false);
        }

        return new ToolResult(process.ExitCode, stdout, stderr, TimedOut: false, OutputTooLarge: false, StartFailed: false);
    }

    /// <summary>Trims tool error text to its useful part: no ANSI colours, no surrounding blank lines.</summary>
    /// <param name="text">The standard error text.</param>
    /// <returns>The trimmed text.</returns>
    public static string TrimError(string text)
    {
        var clean = System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*[A-Za-z]", string.Empty, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        return clean.Trim();
    }

    // Process-tree clean-up. A tool (kubectl kustomize, helm) may start children of its own; on cancel, timeout or
    // the end of this process, the whole tree goes, so that no renderer outlives the engine that started it.
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private static int _exitHookInstalled;

    private static int TrackUntilExit(Process process)
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            // Environment.Exit, the end of Main and an unhandled signal's default all raise ProcessExit.
            AppDomain.CurrentDomain.ProcessExit += static (_, _) => KillAllRunning();
        }

        var id = process.Id;
        Running[id] = process;
        return id;
    }

    private static void Untrack(int id) => Running.TryRemove(id, out _);

    /// <summary>Kills every running tool with its process tree.</summary>
    internal static void KillAllRunning()
    {
        foreach (var (id, process) in Running)
        {
            KillTree(process);
            Running.TryRemove(id, out _);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting while we tried; nothing left to stop.
        }
    }

    private static async Task<string> ReadLimitedAsync(StreamReader reader, long maxBytes, CancellationTokenSource tooLarge)
    {
        var sb = new StringBuilder();
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            if (sb.Length + read > maxBytes)
            {
                await tooLarge.CancelAsync().ConfigureAwait(false);
                return string.Empty;
            }

            sb.Append(buffer, 0, read);
        }

        return sb.ToString();
    }

    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var sb = new StringBuilder();
        var buffer = new char[4 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            sb.Append(buffer, 0, read);
            if (sb.Length > MaxStandardErrorChars * 2)
            {
                sb.Remove(0, sb.Length - MaxStandardErrorChars);
            }
        }

        if (sb.Length > MaxStandardErrorChars)
        {
            sb.Remove(0, sb.Length - MaxStandardErrorChars).Insert(0, "…");
        }

        return sb.ToString();
    }
}

/// <summary>What a tool run produced.</summary>
/// <param name="ExitCode">The exit code (-1 when killed or not started).</param>
/// <param name="StandardOutput">Standard output (empty when killed).</param>
/// <param name="StandardError">The end of standard error.</param>
/// <param name="TimedOut">Whether the run was killed for exceeding its timeout.</param>
/// <param name="OutputTooLarge">Whether the run was killed for writing too much output.</param>
/// <param name="StartFailed">Whether the program could not be started.</param>
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut, bool OutputTooLarge, bool StartFailed);
