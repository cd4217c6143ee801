using System.Diagnostics;

namespace GitOps.Samples.Quickstart;

/// <summary>A throw-away Git repository made with the git CLI from the demo files; deleted on dispose.</summary>
internal sealed class DemoRepository : IDisposable
{
    private DemoRepository(string directory, string head)
    {
        Directory = directory;
        Head = head;
    }

    public string Directory { get; }

    public string Head { get; private set; }

    public static async Task<DemoRepository> CreateAsync(string template, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(template))
        {
            throw new DirectoryNotFoundException($"demo repository template not found at {template}");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"gitops-quickstart-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        foreach (var file in System.IO.Directory.EnumerateFiles(template, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory, Path.GetRelativePath(template, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        await GitAsync(directory, cancellationToken, "init", "--quiet", "--initial-branch=main");
        await GitAsync(directory, cancellationToken, "add", "--all");
        await GitAsync(directory, cancellationToken, "commit", "--quiet", "-m", "Demo application: namespace, config, deployment, service");
        var head = (await GitAsync(directory, cancellationToken, "rev-parse", "HEAD")).Trim();
        return new DemoRepository(directory, head);
    }

    /// <summary>Edits one file, commits it, and returns the new commit SHA.</summary>
    public async Task<string> CommitAsync(string file, Func<string, string> edit, string message, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory, file);
        await File.WriteAllTextAsync(path, edit(await File.ReadAllTextAsync(path, cancellationToken)), cancellationToken);
        await GitAsync(Directory, cancellationToken, "commit", "--quiet", "-am", message);
        Head = (await GitAsync(Directory, cancellationToken, "rev-parse", "HEAD")).Trim();
        return Head;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string> GitAsync(string directory, CancellationToken cancellationToken, params string[] arguments)
    {
        var psi = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = "Quickstart",
            ["GIT_AUTHOR_EMAIL"] = "quickstart@example.invalid",
            ["GIT_COMMITTER_NAME"] = "Quickstart",
            ["GIT_COMMITTER_EMAIL"] = "quickstart@example.invalid",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
        })
        {
            psi.Environment[k] = v;
        }

        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start git");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {await stderr}");
        }

        return await stdout;
    }
}
