using System.CommandLine;
using GitOps.Cli.Commands;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Cli.Tests.Commands;

/// <summary>Names from a repository (file names, object names) are printed with control characters escaped: they cannot forge lines.</summary>
public sealed class OutputEscapingTests : IDisposable
{
    private const string Forged = "12:00:00 shop: Synced at main";
    private readonly TempDirectory _temp = new("cli-escape");

    public void Dispose() => _temp.Dispose();

    private static string[] Lines(string text) => text.Split('\n');

    [Fact]
    public async Task Render_FileNameWithNewline_IsEscapedInTheErrorLine()
    {
        _temp.WriteFile($"app/evil\n{Forged}\u001b[2K.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.BuildRootCommand().Parse(["render", _temp.Combine("app")]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        exit.Should().NotBe(0);
        var text = error.ToString();
        text.Should().Contain($"evil\\n{Forged}\\u001b[2K.yaml");
        Lines(text).Should().NotContain(l => l.StartsWith(Forged, StringComparison.Ordinal));
        text.Should().NotContain("\u001b");
    }

    [Fact]
    public async Task Reconcile_FileNameWithNewline_IsEscapedInEveryLine()
    {
        var served = _temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("app/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n");
        repo.Write($"app/evil\n{Forged}.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n");
        await repo.CommitAndPushAsync("a file name with a newline");
        await using var api = await KubeApiEmulator.StartAsync();
        using var output = new StringWriter();
        var parse = CliApp.BuildRootCommand().Parse(["reconcile", "--source", git.UrlOf("deploy"), "--ref", "main", "--path", "app", "--namespace", "default", "--kubeconfig", api.KubeconfigPath, "--once"]);
        parse.InvocationConfiguration.Output = output;
        parse.InvocationConfiguration.Error = output;

        var exit = await parse.InvokeAsync();

        exit.Should().Be(ReconcileCommand.Error);
        var text = output.ToString();
        text.Should().Contain($"evil\\n{Forged}.yaml");
        Lines(text).Should().NotContain(l => l.StartsWith(Forged, StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task Render_InvalidUtf8_RefusedNamingFileAndByteOffset()
    {
        var bytes = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \""u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("\"\n"u8.ToArray()).ToArray();
        Directory.CreateDirectory(_temp.Combine("bin"));
        await File.WriteAllBytesAsync(_temp.Combine("bin", "bad.yaml"), bytes);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.BuildRootCommand().Parse(["render", _temp.Combine("bin")]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        exit.Should().NotBe(0);
        error.ToString().Should().Contain("bad.yaml").And.Contain("not valid UTF-8").And.Contain("byte offset 63");
        output.ToString().Should().NotContain("\uFFFD");
    }
}
