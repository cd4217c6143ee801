using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Hosting;

/// <summary>The applications set in code: <see cref="GitOpsOptions.Applications"/> (and <c>AddApplication</c>), fixed for the host's life.</summary>
internal sealed class CodeApplicationSource(IOptions<GitOpsOptions> options) : IApplicationSource
{
    public string Name => "code";

    public ApplicationSnapshot GetSnapshot() => new() { Applications = [.. options.Value.Applications] };
}
