using YamlDotNet.Core;

namespace GitOps.Sdk.Manifests;

/// <summary>The errors of one stream, each with the file and the index of the document being read.</summary>
internal sealed class ManifestErrorList
{
    private readonly List<ManifestError> _errors = [];

    public ManifestErrorList(string file) => File = file;

    public string File { get; }

    /// <summary>Gets or sets the index of the document errors are reported against.</summary>
    public int DocumentIndex { get; set; } = -1;

    public int Count => _errors.Count;

    public IReadOnlyList<ManifestError> All => _errors;

    public void Add(ManifestError error) => _errors.Add(error);

    public void At(string code, string message, Mark at) => At(code, message, (int)at.Line, (int)at.Column);

    public void At(string code, string message, int line, int column, ResourceKey? key = null) =>
        _errors.Add(new ManifestError(message, File, DocumentIndex, line, column) { Code = code, Object = key });
}
