using System.Diagnostics;
using System.Text;

namespace GitOps.Cli.Tests;

/// <summary>The built <c>gitops</c> CLI run as a real child process (<c>dotnet gitops.dll …</c>), with its output collected and real signals sent to it.</summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private CliProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Gets the id of the CLI process (for a background start: the id the shell reported).</summary>
    public int Pid { get; private set; }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Gets the path of the built CLI next to the test assembly.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "gitops.dll");

    /// <summary>Starts <c>dotnet gitops.dll args</c>.</summary>
    public static CliProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        StartCore("dotnet", [CliDll, .. args], environment, background: false);

    /// <summary>
    /// Starts the CLI the way <c>gitops reconcile … &amp;</c> in a non-interactive shell script does: the shell runs it in the
    /// background, where SIGINT and SIGQUIT are ignored by default, and reports its pid.
    /// </summary>
    public static CliProcess StartInBackground(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var quoted = string.Join(' ', new[] { "dotnet", CliDll }.Concat(args).Select(static a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        return StartCore("/bin/sh", ["-c", $"{quoted} & echo \"cli-pid=$!\"; wait $!; echo \"cli-exit=$?\""], environment, background: true);
    }

    private static CliProcess StartCore(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment, bool background)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }

        var process = new Process { StartInfo = psi };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Append(e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        cli.Pid = background ? 0 : process.Id;
        return cli;
    }

    /// <summary>Waits for the pid a background start reports.</summary>
    public async Task<int> WaitForPidAsync()
    {
        if (Pid == 0)
        {
            var text = await WaitForOutputAsync("cli-pid=");
            var at = text.IndexOf("cli-pid=", StringComparison.Ordinal) + "cli-pid=".Length;
            var end = text.IndexOf('\n', at);
            Pid = int.Parse(text[at..(end < 0 ? text.Length : end)].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return Pid;
    }

    /// <summary>Waits (bounded) until the output contains <paramref name="text"/>.</summary>
    public async Task<string> WaitForOutputAsync(string text, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && !Output.Contains(text, StringComparison.Ordinal))
            {
                await Task.Delay(200);
                if (!Output.Contains(text, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"the CLI exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the CLI did not print '{text}' within {timeoutSeconds} s:\n{Output}");
            }

            await Task.Delay(50);
        }

        return Output;
    }

    /// <summary>Sends a real signal (<c>kill -s NAME pid</c>).</summary>
    public async Task SignalAsync(string signal)
    {
        var pid = await WaitForPidAsync();
        using var kill = Process.Start("kill", ["-s", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        kill.ExitCode.Should().Be(0, $"kill -s {signal} {pid} must reach the CLI");
    }

    /// <summary>Waits for the process to end; returns its exit code and how long it took, or throws after <paramref name="timeout"/>.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> WaitForExitAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the CLI did not exit within {timeout.TotalSeconds} s:\n{Output}");
        }

        _process.WaitForExit();
        var code = _process.ExitCode;
        var text = Output;
        var marker = text.IndexOf("cli-exit=", StringComparison.Ordinal);
        if (marker >= 0)
        {
            var end = text.IndexOf('\n', marker);
            code = int.Parse(text[(marker + "cli-exit=".Length)..(end < 0 ? text.Length : end)].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return (code, watch.Elapsed);
    }

    /// <summary>Returns whether a process with <paramref name="pid"/> is still alive (a zombie counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        if (Pid != 0 && IsAlive(Pid))
        {
            using var kill = Process.Start("kill", ["-s", "KILL", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Append(line).Append('\n');
        }
    }
}
