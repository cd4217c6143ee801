namespace GitOps.Sdk.Manifests;

/// <summary>The values of <see cref="ManifestError.Code"/> that the manifest reader and the plain renderer produce.</summary>
public static class ManifestErrorCodes
{
    /// <summary>The text is not well-formed YAML (or JSON).</summary>
    public const string Syntax = "yaml-syntax";

    /// <summary>The file could not be read.</summary>
    public const string ReadFailed = "read-failed";

    /// <summary>The file is not valid UTF-8 (the message gives the byte offset of the first invalid sequence).</summary>
    public const string InvalidUtf8 = "invalid-utf8";

    /// <summary>The stream is larger than <see cref="ManifestReaderOptions.MaxStreamBytes"/>.</summary>
    public const string StreamTooLarge = "stream-too-large";

    /// <summary>A document is larger than <see cref="ManifestReaderOptions.MaxDocumentBytes"/>.</summary>
    public const string DocumentTooLarge = "document-too-large";

    /// <summary>A document nests deeper than <see cref="ManifestReaderOptions.MaxDepth"/>.</summary>
    public const string DepthLimit = "depth-limit";

    /// <summary>Aliases expand a document beyond <see cref="ManifestReaderOptions.MaxNodes"/> or <see cref="ManifestReaderOptions.MaxExpandedDocumentBytes"/>.</summary>
    public const string AliasLimit = "alias-limit";

    /// <summary>A document has more nodes than <see cref="ManifestReaderOptions.MaxNodes"/> without any alias.</summary>
    public const string NodeLimit = "node-limit";

    /// <summary>An alias names an anchor that is not defined before it in the same document.</summary>
    public const string UnknownAnchor = "unknown-anchor";

    /// <summary>A mapping has the same key twice.</summary>
    public const string DuplicateKey = "duplicate-key";

    /// <summary>A mapping key is null, a mapping or a sequence: JSON allows only string keys.</summary>
    public const string UnsupportedKey = "unsupported-key";

    /// <summary>A scalar has no JSON meaning (<c>.inf</c>, <c>.nan</c>, a tag its value does not match, text that is not valid Unicode).</summary>
    public const string UnsupportedValue = "unsupported-value";

    /// <summary>A merge key (<c>&lt;&lt;</c>) is given something other than a mapping or a sequence of mappings.</summary>
    public const string InvalidMerge = "invalid-merge";

    /// <summary>A document is not a mapping (a scalar or a sequence).</summary>
    public const string NotAMapping = "not-a-mapping";

    /// <summary>An object has no <c>apiVersion</c>.</summary>
    public const string MissingApiVersion = "missing-api-version";

    /// <summary>An object has no <c>kind</c>.</summary>
    public const string MissingKind = "missing-kind";

    /// <summary>An object has no <c>metadata.name</c>.</summary>
    public const string MissingName = "missing-name";

    /// <summary><c>apiVersion</c>, <c>kind</c> or <c>metadata</c> has the wrong type or form.</summary>
    public const string InvalidField = "invalid-field";

    /// <summary><c>metadata.name</c> is not a valid name for the object's kind.</summary>
    public const string InvalidName = "invalid-name";

    /// <summary><c>metadata.namespace</c> is not a valid namespace name.</summary>
    public const string InvalidNamespace = "invalid-namespace";

    /// <summary>A <c>List</c> has <c>items</c> that are not a sequence of mappings.</summary>
    public const string InvalidList = "invalid-list";

    /// <summary>The same object (<see cref="ResourceKey"/>) is declared twice.</summary>
    public const string DuplicateObject = "duplicate-object";

    /// <summary>A symbolic link points outside the artifact root, or cannot be resolved.</summary>
    public const string SymlinkEscape = "symlink-escape";
}
