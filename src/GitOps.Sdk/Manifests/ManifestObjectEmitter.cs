namespace GitOps.Sdk.Manifests;

/// <summary>
/// Turns the root node of one document into Kubernetes objects: checks the type and identity fields (apiVersion, kind,
/// metadata.name/namespace), expands <c>*List</c> documents, and writes each object as JSON with its origin.
/// </summary>
internal sealed class ManifestObjectEmitter
{
    private readonly ManifestReaderOptions _options;
    private readonly ManifestErrorList _errors;
    private readonly List<KubeObject> _objects;
    private readonly YNodeJsonWriter _json;

    public ManifestObjectEmitter(ManifestReaderOptions options, ManifestErrorList errors, List<KubeObject> objects, YNodeJsonWriter json)
    {
        _options = options;
        _errors = errors;
        _objects = objects;
        _json = json;
    }

    public void EmitDocument(YNode root)
    {
        if (root is YScalar { IsNull: true })
        {
            return;
        }

        if (root is not YMapping mapping)
        {
            _errors.At(ManifestErrorCodes.NotAMapping, $"a document must be a mapping (a Kubernetes object), not {Describe(root)}", root.Line, root.Column);
            return;
        }

        EmitObject(mapping, listDepth: 0);
    }

    private static string Describe(YNode node) => node switch
    {
        YSequence => "a sequence",
        YScalar { Kind: ScalarKind.String } => "a string",
        YScalar { Kind: ScalarKind.Bool } => "a boolean",
        YScalar => "a number",
        _ => "a mapping",
    };

    private void EmitObject(YMapping mapping, int listDepth)
    {
        var apiVersionNode = mapping.Get("apiVersion");
        var kindNode = mapping.Get("kind");
        if (apiVersionNode is null || (apiVersionNode is YScalar { IsNull: true }))
        {
            _errors.At(ManifestErrorCodes.MissingApiVersion, "the object has no apiVersion", mapping.Line, mapping.Column);
            return;
        }

        if (apiVersionNode is not YScalar { AsString: { Length: > 0 } apiVersion })
        {
            _errors.At(ManifestErrorCodes.InvalidField, "apiVersion must be a non-empty string", apiVersionNode.Line, apiVersionNode.Column);
            return;
        }

        if (kindNode is null || (kindNode is YScalar { IsNull: true }))
        {
            _errors.At(ManifestErrorCodes.MissingKind, "the object has no kind", mapping.Line, mapping.Column);
            return;
        }

        if (kindNode is not YScalar { AsString: { Length: > 0 } kind })
        {
            _errors.At(ManifestErrorCodes.InvalidField, "kind must be a non-empty string", kindNode.Line, kindNode.Column);
            return;
        }

        var (group, _) = GroupKind.SplitApiVersion(apiVersion);
        if (kind.EndsWith("List", StringComparison.Ordinal) && ExpandList(mapping, kind, listDepth))
        {
            return;
        }

        var metadataNode = mapping.Get("metadata");
        var name = string.Empty;
        var @namespace = string.Empty;
        YNode? nameNode = null;
        YNode? namespaceNode = null;
        if (metadataNode is YMapping metadata)
        {
            nameNode = metadata.Get("name");
            namespaceNode = metadata.Get("namespace");
        }
        else if (metadataNode is not null and not YScalar { IsNull: true })
        {
            _errors.At(ManifestErrorCodes.InvalidField, "metadata must be a mapping", metadataNode.Line, metadataNode.Column, new ResourceKey(group, kind, string.Empty, string.Empty));
            return;
        }

        if (namespaceNode is not null and not YScalar { IsNull: true })
        {
            if (namespaceNode is not YScalar { AsString: { } ns })
            {
                _errors.At(ManifestErrorCodes.InvalidField, "metadata.namespace must be a string", namespaceNode.Line, namespaceNode.Column, new ResourceKey(group, kind, string.Empty, string.Empty));
                return;
            }

            @namespace = ns;
        }

        if (nameNode is not null and not YScalar { IsNull: true })
        {
            if (nameNode is not YScalar { AsString: { } n })
            {
                _errors.At(ManifestErrorCodes.InvalidField, "metadata.name must be a string", nameNode.Line, nameNode.Column, new ResourceKey(group, kind, @namespace, string.Empty));
                return;
            }

            name = n;
        }

        var key = new ResourceKey(group, kind, @namespace, name);
        if (name.Length == 0 && _options.RequireName)
        {
            var at = (YNode?)nameNode ?? (YNode?)(metadataNode as YMapping) ?? mapping;
            _errors.At(ManifestErrorCodes.MissingName, $"the {kind} has no metadata.name", at.Line, at.Column, key);
            return;
        }

        if (_options.ValidateNames)
        {
            if (name.Length > 0 && KubernetesNames.ValidateName(group, kind, name) is { } nameProblem)
            {
                _errors.At(ManifestErrorCodes.InvalidName, $"metadata.name '{name}' is not a valid {kind} name: it {nameProblem}", nameNode!.Line, nameNode.Column, key);
                return;
            }

            if (@namespace.Length > 0 && KubernetesNames.ValidateNamespace(@namespace) is { } namespaceProblem)
            {
                _errors.At(ManifestErrorCodes.InvalidNamespace, $"metadata.namespace '{@namespace}' is not a valid namespace name: it {namespaceProblem}", namespaceNode!.Line, namespaceNode.Column, key);
                return;
            }
        }

        byte[] json;
        try
        {
            json = _json.ToJson(mapping);
        }
        catch (ArgumentException)
        {
            _errors.At(ManifestErrorCodes.UnsupportedValue, "the object holds text that is not valid Unicode (a lone surrogate)", mapping.Line, mapping.Column, key);
            return;
        }

        try
        {
            _objects.Add(KubeObject.Parse(json, new ObjectOrigin(_errors.File, _errors.DocumentIndex, mapping.Line, mapping.Column)));
        }
        catch (FormatException ex)
        {
            _errors.At(ManifestErrorCodes.UnsupportedValue, ex.Message, mapping.Line, mapping.Column, key);
        }
    }

    /// <summary>Expands a <c>*List</c> into its items; returns <see langword="false"/> when the mapping is an ordinary object.</summary>
    private bool ExpandList(YMapping mapping, string kind, int listDepth)
    {
        var items = mapping.Get("items");
        var isPlainList = string.Equals(kind, "List", StringComparison.Ordinal);
        switch (items)
        {
            case YSequence sequence:
                foreach (var item in sequence.Items)
                {
                    if (item is not YMapping itemMapping)
                    {
                        _errors.At(ManifestErrorCodes.InvalidList, $"every item of a {kind} must be a mapping (an object), not {Describe(item)}", item.Line, item.Column);
                        continue;
                    }

                    EmitObject(itemMapping, listDepth + 1);
                }

                return true;
            case null or YScalar { IsNull: true } when isPlainList:
                return true;
            case YScalar { IsNull: true }:
                return true;
            case null:
                return false;
            default:
                _errors.At(ManifestErrorCodes.InvalidList, $"the items of a {kind} must be a sequence", items.Line, items.Column);
                return true;
        }
    }
}
