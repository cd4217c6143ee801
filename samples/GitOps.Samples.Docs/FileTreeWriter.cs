using GitOps.Sdk;

namespace GitOps.Samples.Docs;

/// <summary>A target writer from docs/extending.md: each object is a JSON file under a directory (a tree for review).</summary>
public sealed class FileTreeWriter(string root) : IResourceWriter
{
    public int MaxConcurrency => 8;

    public async ValueTask<WriteResult> ApplyAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        var path = PathOf(request.Desired.Key);
        var bytes = request.Desired.Utf8Json.ToArray();
        if (!File.Exists(path))
        {
            if (!request.DryRun)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            }

            return WriteResult.Success(ApplyOutcome.Created, request.Desired);
        }

        var same = (await File.ReadAllBytesAsync(path, cancellationToken)).AsSpan().SequenceEqual(bytes);
        if (!same && !request.DryRun)
        {
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
        }

        return WriteResult.Success(same ? ApplyOutcome.Unchanged : ApplyOutcome.Configured, request.Desired);
    }

    public ValueTask<WriteResult> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        var path = PathOf(request.Target.Key);
        if (!File.Exists(path))
        {
            return ValueTask.FromResult(WriteResult.Success(ApplyOutcome.Deleted, message: "already gone"));
        }

        if (!request.DryRun)
        {
            File.Delete(path);
        }

        return ValueTask.FromResult(WriteResult.Success(ApplyOutcome.Deleted));
    }

    // Files need no definitions: every kind can be written at once.
    public ValueTask<ReadinessResult> WaitEstablishedAsync(KubeObject definition, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ReadinessResult.Ready);

    private string PathOf(ResourceKey key) =>
        Path.Combine(root, key.Namespace.Length == 0 ? "_cluster" : key.Namespace, $"{key.Group}_{key.Kind}_{key.Name}.json");
}
