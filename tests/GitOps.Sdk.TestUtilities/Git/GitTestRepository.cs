namespace GitOps.Sdk.TestUtilities.Git;

/// <summary>
/// A Git repository made with the git CLI for tests: a working clone where commits are made, and a bare repository
/// (what servers publish) that commits, tags and force-pushes go to.
/// </summary>
public sealed class GitTestRepository
{
    private static readonly Dictionary<string, string> CommitEnvironment = new()
    {
        ["GIT_AUTHOR_NAME"] = "Test Author",
        ["GIT_AUTHOR_EMAIL"] = "author@example.test",
        ["GIT_COMMITTER_NAME"] = "Test Committer",
        ["GIT_COMMITTER_EMAIL"] = "committer@example.test",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["GIT_TERMINAL_PROMPT"] = "0",
    };

    private GitTestRepository(string workTree, string bareDirectory, string name)
    {
        WorkTree = workTree;
        BareDirectory = bareDirectory;
        Name = name;
    }

    /// <summary>Gets the working clone where files are written and committed.</summary>
    public string WorkTree { get; }

    /// <summary>Gets the bare repository that servers publish (<c>&lt;root&gt;/&lt;name&gt;.git</c>).</summary>
    public string BareDirectory { get; }

    /// <summary>Gets the repository name (the bare folder's name without <c>.git</c>).</summary>
    public string Name { get; }

    /// <summary>Creates an empty repository with branch <c>main</c>; the bare copy lands in <paramref name="servedRoot"/>.</summary>
    /// <param name="servedRoot">The folder servers publish.</param>
    /// <param name="name">The repository name.</param>
    /// <returns>The repository.</returns>
    public static async Task<GitTestRepository> CreateAsync(string servedRoot, string name)
    {
        var bare = Path.Combine(servedRoot, name + ".git");
        var work = Path.Combine(servedRoot, "..", "work-" + name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(bare);
        Directory.CreateDirectory(work);
        await GitAsync(bare, "init", "--bare", "-q", "-b", "main");
        await GitAsync(bare, "config", "http.receivepack", "true");
        await GitAsync(bare, "config", "uploadpack.allowReachableSHA1InWant", "true");
        await GitAsync(work, "init", "-q", "-b", "main");
        await GitAsync(work, "remote", "add", "origin", bare);
        await GitAsync(work, "config", "core.symlinks", "true");
        return new GitTestRepository(Path.GetFullPath(work), Path.GetFullPath(bare), name);
    }

    /// <summary>Runs git with the test identity.</summary>
    /// <param name="directory">The working folder.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns>Standard output, trimmed.</returns>
    public static async Task<string> GitAsync(string directory, params string[] arguments) =>
        (await ProcessRunner.RunCheckedAsync("git", arguments, directory, CommitEnvironment)).Trim();

    private Task<string> SignedGitAsync(GitSigningIdentity signer, params string[] arguments)
    {
        var environment = new Dictionary<string, string>(CommitEnvironment);
        foreach (var (k, v) in signer.Environment)
        {
            environment[k] = v;
        }

        return ProcessRunner.RunCheckedAsync("git", [.. signer.ConfigArguments, .. arguments], WorkTree, environment);
    }

    /// <summary>Writes a file in the working clone.</summary>
    /// <param name="relativePath">The path, with <c>/</c>.</param>
    /// <param name="content">The text.</param>
    /// <returns>This repository.</returns>
    public GitTestRepository Write(string relativePath, string content)
    {
        var full = Path.Combine(WorkTree, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    /// <summary>Creates a symlink in the working clone.</summary>
    /// <param name="relativePath">Where the link goes.</param>
    /// <param name="target">What it points to, as written.</param>
    /// <returns>This repository.</returns>
    public GitTestRepository Symlink(string relativePath, string target)
    {
        var full = Path.Combine(WorkTree, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.CreateSymbolicLink(full, target);
        return this;
    }

    /// <summary>Deletes a file in the working clone.</summary>
    /// <param name="relativePath">The path.</param>
    /// <returns>This repository.</returns>
    public GitTestRepository Delete(string relativePath)
    {
        File.Delete(Path.Combine(WorkTree, relativePath));
        return this;
    }

    /// <summary>Commits everything and pushes the current branch.</summary>
    /// <param name="message">The commit message.</param>
    /// <returns>The new commit's SHA.</returns>
    public async Task<string> CommitAndPushAsync(string message = "change")
    {
        await GitAsync(WorkTree, "add", "-A");
        await GitAsync(WorkTree, "commit", "-q", "--allow-empty", "-m", message);
        await GitAsync(WorkTree, "push", "-q", "--force", "origin", "HEAD");
        return await HeadAsync();
    }

    /// <summary>Commits everything signed by <paramref name="signer"/> (<c>git commit -S</c>) and pushes the current branch.</summary>
    /// <param name="message">The commit message.</param>
    /// <param name="signer">The signing key's settings.</param>
    /// <returns>The new commit's SHA.</returns>
    public async Task<string> CommitSignedAndPushAsync(string message, GitSigningIdentity signer)
    {
        await GitAsync(WorkTree, "add", "-A");
        await SignedGitAsync(signer, "commit", "-q", "-S", "--allow-empty", "-m", message);
        await GitAsync(WorkTree, "push", "-q", "--force", "origin", "HEAD");
        return await HeadAsync();
    }

    /// <summary>Creates a signed annotated tag on HEAD (<c>git tag -s</c>) and pushes it.</summary>
    /// <param name="name">The tag name.</param>
    /// <param name="signer">The signing key's settings.</param>
    /// <returns>A task.</returns>
    public async Task TagSignedAndPushAsync(string name, GitSigningIdentity signer)
    {
        await SignedGitAsync(signer, "tag", "-s", name, "-m", "release " + name);
        await GitAsync(WorkTree, "push", "-q", "origin", "refs/tags/" + name);
    }

    /// <summary>
    /// Writes into the bare repository a copy of commit <paramref name="signedCommit"/> whose tree is replaced by the tree of
    /// <paramref name="treeOf"/> (the signature header copied unchanged), and points <paramref name="branch"/> at it:
    /// what a party without the key can do to make a "signed" commit with other content.
    /// </summary>
    /// <param name="signedCommit">The signed commit to copy.</param>
    /// <param name="treeOf">The commit whose tree goes in.</param>
    /// <param name="branch">The branch to move.</param>
    /// <returns>The forged commit's SHA.</returns>
    public async Task<string> ForgeCommitAsync(string signedCommit, string treeOf, string branch = "main")
    {
        var raw = await ProcessRunner.RunCheckedAsync("git", ["cat-file", "commit", signedCommit], BareDirectory, CommitEnvironment);
        var tree = await GitAsync(BareDirectory, "rev-parse", treeOf + "^{tree}");
        var lines = raw.Split('\n');
        lines[0] = "tree " + tree;
        var file = Path.Combine(BareDirectory, "forged-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, string.Join('\n', lines));
        var forged = await GitAsync(BareDirectory, "hash-object", "-t", "commit", "-w", file);
        File.Delete(file);
        await GitAsync(BareDirectory, "update-ref", "refs/heads/" + branch, forged);
        return forged;
    }

    /// <summary>Returns the working clone's HEAD commit.</summary>
    /// <returns>The SHA.</returns>
    public Task<string> HeadAsync() => GitAsync(WorkTree, "rev-parse", "HEAD");

    /// <summary>Creates a tag on HEAD (annotated when <paramref name="annotated"/>) and pushes it.</summary>
    /// <param name="name">The tag name.</param>
    /// <param name="annotated">Whether to make an annotated tag object.</param>
    /// <returns>A task.</returns>
    public async Task TagAndPushAsync(string name, bool annotated = true)
    {
        if (annotated)
        {
            await GitAsync(WorkTree, "tag", "-a", name, "-m", "release " + name);
        }
        else
        {
            await GitAsync(WorkTree, "tag", name);
        }

        await GitAsync(WorkTree, "push", "-q", "origin", "refs/tags/" + name);
    }

    /// <summary>Switches the working clone to a new or existing branch.</summary>
    /// <param name="branch">The branch.</param>
    /// <param name="create">Whether to create it from HEAD.</param>
    /// <returns>A task.</returns>
    public Task CheckoutAsync(string branch, bool create = false) =>
        create ? GitAsync(WorkTree, "checkout", "-q", "-b", branch) : GitAsync(WorkTree, "checkout", "-q", branch);

    /// <summary>Rewrites the last commit (a new SHA) and force-pushes the branch.</summary>
    /// <param name="message">The new message.</param>
    /// <returns>The new SHA.</returns>
    public async Task<string> AmendAndForcePushAsync(string message)
    {
        await GitAsync(WorkTree, "add", "-A");
        await GitAsync(WorkTree, "commit", "-q", "--amend", "--allow-empty", "-m", message);
        await GitAsync(WorkTree, "push", "-q", "--force", "origin", "HEAD");
        return await HeadAsync();
    }

    /// <summary>Adds <paramref name="count"/> files of a few hundred bytes each under <paramref name="folder"/> and commits them.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="count">How many files.</param>
    /// <returns>The commit SHA.</returns>
    public async Task<string> AddManyFilesAsync(string folder, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Write($"{folder}/group-{i / 100:D2}/config-{i:D4}.yaml", ManifestText(i));
        }

        return await CommitAndPushAsync($"add {count} files");
    }

    private static string ManifestText(int i) =>
        $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: config-{i:D4}
          namespace: bulk
          labels:
            app.kubernetes.io/name: bulk
            index: "{i}"
        data:
          key: value-{i}-{Guid.NewGuid():N}
          text: |
            {string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 8))}
        """;
}
