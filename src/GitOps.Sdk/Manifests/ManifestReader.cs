using System.Text;

namespace GitOps.Sdk.Manifests;

/// <summary>
/// Reads Kubernetes manifests (YAML or JSON streams) into <see cref="KubeObject"/>s with the meaning kubectl gives them.
/// Every renderer's output goes through this reader, so hostile input is refused the same way everywhere.
/// </summary>
/// <remarks>
/// <para>
/// <b>YAML meaning.</b> Scalars are typed as kubectl (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1) types them: a quoted
/// scalar is always a string (<c>"80"</c>, <c>'true'</c>); a plain one is <c>null</c> for empty, <c>~</c>,
/// <c>null</c>/<c>Null</c>/<c>NULL</c>; a boolean for <c>true</c>/<c>false</c> and the YAML 1.1 words
/// <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>/<c>y</c>/<c>n</c> in their lower, capitalised and upper forms; a number
/// for Go integer literals (<c>80</c>, <c>-5</c>, <c>+5</c>, <c>0x1F</c>, <c>0755</c> octal, <c>0o17</c>,
/// <c>0b101</c>, underscores ignored) and YAML floats (<c>1.5</c>, <c>1e3</c>, <c>.5</c>); everything else, timestamps
/// included, is a string. Numbers are written as kubectl sends them: an integral value within 64 bits is a JSON integer
/// (<c>1.0</c> becomes <c>1</c>), anything else a float in Go's shortest form (<c>1e+21</c>). <c>.inf</c> and <c>.nan</c>
/// are refused (JSON has no such numbers). Non-string keys become strings as kubectl makes them (<c>yes:</c> is the key
/// <c>"true"</c>, <c>0x1F:</c> is <c>"31"</c>); a null or complex key is refused. Anchors, aliases and merge keys
/// (<c>&lt;&lt;</c>, a mapping or a sequence of mappings; explicit keys win, then earlier sources) are resolved.
/// </para>
/// <para>
/// <b>Stricter than kubectl.</b> A duplicate mapping key is an error (kubectl silently keeps the last value, which hides
/// mistakes in a GitOps repository).
/// </para>
/// <para>
/// <b>Documents.</b> A stream holds documents separated by <c>---</c> (and optionally ended by <c>...</c>). Document
/// indexes are zero-based and count every document the YAML parser sees, empty ones included (a comment-only prelude
/// before the first <c>---</c> is not a document). Empty documents (no content, only comments, or <c>null</c>) are
/// skipped; any other document must be a mapping. A document whose <c>kind</c> ends in <c>List</c> and that has
/// <c>items</c> (for <c>kind: List</c>, also none) is expanded into its items, each with the document's index and its
/// own line.
/// </para>
/// <para>
/// <b>Objects.</b> Every object needs <c>apiVersion</c>, <c>kind</c> and (with <see cref="ManifestReaderOptions.RequireName"/>)
/// <c>metadata.name</c>. With <see cref="ManifestReaderOptions.ValidateNames"/>, names follow the API server's rules:
/// a DNS-1123 subdomain for most kinds, a DNS-1123 label for <c>Namespace</c> and for every <c>metadata.namespace</c>,
/// a DNS-1035 label for <c>Service</c>, and any path segment (no <c>/</c>, <c>%</c>, not <c>.</c> or <c>..</c>) for RBAC
/// roles and bindings (which allow <c>system:…</c> names) and for <c>CertificateSigningRequest</c>.
/// </para>
/// <para>
/// <b>Errors are values.</b> Each <see cref="ManifestError"/> names the file, document index, one-based line and column
/// and, where known, the object, with a <see cref="ManifestError.Code"/> from <see cref="ManifestErrorCodes"/>.
/// A result with errors has no objects. Limit violations (size, depth, alias expansion) stop reading the stream; other
/// errors skip the document and reading goes on, so one pass reports every broken document.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var reader = new ManifestReader();
/// var result = reader.ReadFile("/repo/apps/web/deploy.yaml", "apps/web/deploy.yaml");
/// if (!result.Succeeded)
/// {
///     foreach (var error in result.Errors) Console.Error.WriteLine(error);   // apps/web/deploy.yaml:12:7: document 1: …
/// }
/// </code>
/// </example>
public sealed class ManifestReader : IManifestReader
{
    private readonly ManifestReaderOptions _options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">Limits and checks; <see cref="ManifestReaderOptions.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public ManifestReader(ManifestReaderOptions? options = null)
    {
        _options = options ?? ManifestReaderOptions.Default;
        _options.Validate();
    }

    /// <summary>Gets the options in use.</summary>
    public ManifestReaderOptions Options => _options;

    /// <summary>Reads every object in a YAML or JSON stream.</summary>
    /// <param name="yaml">The stream's text.</param>
    /// <param name="file">The file name to report in origins and errors (relative to the artifact root where possible).</param>
    /// <returns>The objects in stream order, or the errors (then no objects).</returns>
    public ManifestReadResult Read(string yaml, string file)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(file);
        var max = _options.MaxStreamBytes;
        if (yaml.Length > max || ((long)yaml.Length * 3 > max && Encoding.UTF8.GetByteCount(yaml) > max))
        {
            return ManifestReadResult.Failure(new ManifestError(
                $"the stream is larger than the limit of {max} bytes", file)
            { Code = ManifestErrorCodes.StreamTooLarge });
        }

        return new ManifestReadSession(_options, file, yaml).Run();
    }

    /// <summary>Reads every object in a YAML or JSON file.</summary>
    /// <param name="path">The file's path on disk.</param>
    /// <param name="displayName">The name to report in origins and errors (relative to the artifact root where possible).</param>
    /// <returns>The objects in file order, or the errors (then no objects).</returns>
    public ManifestReadResult ReadFile(string path, string displayName)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(displayName);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ManifestReadResult.Failure(new ManifestError("the file does not exist", displayName) { Code = ManifestErrorCodes.ReadFailed });
            }

            if (info.Length > _options.MaxStreamBytes)
            {
                return ManifestReadResult.Failure(new ManifestError(
                    $"the file is larger than the limit of {_options.MaxStreamBytes} bytes", displayName)
                { Code = ManifestErrorCodes.StreamTooLarge });
            }

            if (Utf8Text.Decode(File.ReadAllBytes(path), out text) is { } offset)
            {
                return ManifestReadResult.Failure(new ManifestError(
                    $"the file is not valid UTF-8: invalid byte sequence at byte offset {offset}", displayName)
                { Code = ManifestErrorCodes.InvalidUtf8 });
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ManifestReadResult.Failure(new ManifestError($"the file could not be read: {ex.Message}", displayName) { Code = ManifestErrorCodes.ReadFailed });
        }

        return Read(text, displayName);
    }
}
