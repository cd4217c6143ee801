using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Sdk.Manifests;

/// <summary>One pass of <see cref="ManifestReader"/> over one stream: YAML events → resolved nodes → JSON objects.</summary>
internal sealed class ManifestReadSession
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = 256,
    };

    private readonly ManifestReaderOptions _options;
    private readonly string _file;
    private readonly string _text;
    private readonly List<Frame> _stack = [];
    private readonly List<KubeObject> _objects = [];
    private readonly List<ManifestError> _errors = [];
    private Dictionary<string, YNode>? _anchors;
    private ArrayBufferWriter<byte>? _buffer;
    private Utf8JsonWriter? _writer;

    private int _documentIndex = -1;
    private bool _inDocument;
    private bool _skipDocument;
    private long _documentStart;
    private long _documentNodes;
    private long _documentBytes;
    private YNode? _root;

    public ManifestReadSession(ManifestReaderOptions options, string file, string text)
    {
        _options = options;
        _file = file;
        _text = text;
    }

    public ManifestReadResult Run()
    {
        var lastEnd = YamlDotNet.Core.Mark.Empty;
        try
        {
            // A UTF-8 byte order mark decoded into the string is not content (YamlDotNet would make it part of the first key).
            var reader = new StringReader(_text);
            if (_text.Length > 0 && _text[0] == '\uFEFF')
            {
                reader.Read();
            }

            var parser = new Parser(reader);
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                lastEnd = ev.End;
                switch (ev)
                {
                    case StreamStart or StreamEnd:
                        break;
                    case DocumentStart:
                        StartDocument(ev);
                        break;
                    case DocumentEnd:
                        if (!_skipDocument && _root is not null)
                        {
                            EmitDocument(_root);
                        }

                        _inDocument = false;
                        break;
                    default:
                        if (_skipDocument)
                        {
                            break;
                        }

                        if (ev.End.Index - _documentStart > _options.MaxDocumentBytes)
                        {
                            Error(ManifestErrorCodes.DocumentTooLarge, $"the document is larger than the limit of {_options.MaxDocumentBytes} characters", ev.Start);
                            return Finish();
                        }

                        switch (HandleNode(ev))
                        {
                            case Outcome.Limit:
                                return Finish();
                            case Outcome.Error:
                                _skipDocument = true;
                                break;
                        }

                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            var index = _inDocument ? _documentIndex : _documentIndex + 1;
            var (line, column) = ((int)ex.Start.Line, (int)ex.Start.Column);
            if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
            {
                (line, column) = FindTabIndentation(line, column);
            }

            _errors.Add(new ManifestError(SyntaxMessage(ex), _file, index, line, column) { Code = ManifestErrorCodes.Syntax });
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not YamlException) on some malformed flow collections, e.g. an
            // unterminated "[" after a flow mapping; it is still the user's syntax error, so report where reading stopped.
            var index = _inDocument ? _documentIndex : _documentIndex + 1;
            _errors.Add(new ManifestError(
                "the YAML is not well formed after this point (an unterminated flow collection or scalar)",
                _file,
                index,
                (int)lastEnd.Line,
                (int)lastEnd.Column) { Code = ManifestErrorCodes.Syntax });
        }

        return Finish();
    }

    private enum Outcome
    {
        Ok,
        Error,
        Limit,
    }

    private ManifestReadResult Finish()
    {
        _writer?.Dispose();
        return _errors.Count > 0
            ? new ManifestReadResult { Errors = [.. _errors] }
            : new ManifestReadResult { Objects = [.. _objects] };
    }

    private static string SyntaxMessage(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 1, Col: 2, Idx: 3) - (…): "; the position is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return "invalid YAML: " + (message.StartsWith('(') && cut > 0 ? message[(cut + 3)..] : message);
    }

    /// <summary>YamlDotNet reports a tab in indentation at the start of the enclosing mapping; find the tab itself.</summary>
    private (int Line, int Column) FindTabIndentation(int fromLine, int fromColumn)
    {
        var line = 1;
        var start = 0;
        while (start < _text.Length)
        {
            var end = _text.IndexOf('\n', start);
            if (end < 0)
            {
                end = _text.Length;
            }

            if (line >= fromLine)
            {
                for (var i = start; i < end && _text[i] is ' ' or '\t'; i++)
                {
                    if (_text[i] == '\t')
                    {
                        return (line, i - start + 1);
                    }
                }
            }

            start = end + 1;
            line++;
        }

        return (fromLine, fromColumn);
    }

    private void StartDocument(ParsingEvent ev)
    {
        _documentIndex++;
        _inDocument = true;
        _skipDocument = false;
        _documentStart = ev.Start.Index;
        _documentNodes = 0;
        _documentBytes = 0;
        _root = null;
        _stack.Clear();
        _anchors?.Clear();
    }

    private Outcome HandleNode(ParsingEvent ev)
    {
        var top = _stack.Count > 0 ? _stack[^1] : null;
        var expectingKey = top is { Mapping: not null, HasKey: false };
        switch (ev)
        {
            case Scalar scalar:
            {
                if (expectingKey && scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty && scalar.Value == "<<")
                {
                    top!.SetKey("<<", ev.Start, merge: true);
                    return Outcome.Ok;
                }

                var node = MakeScalar(scalar);
                if (node is null)
                {
                    return Outcome.Error;
                }

                if (!scalar.Anchor.IsEmpty)
                {
                    (_anchors ??= new Dictionary<string, YNode>(StringComparer.Ordinal))[scalar.Anchor.Value] = node;
                }

                if (expectingKey)
                {
                    return SetKey(top!, node, ev.Start);
                }

                var limit = Count(node.Nodes, node.Bytes, alias: false, ev.Start);
                return limit != Outcome.Ok ? limit : Attach(node, ev.Start);
            }

            case AnchorAlias alias:
            {
                if (_anchors is null || !_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    Error(ManifestErrorCodes.UnknownAnchor, $"the alias *{alias.Value.Value} names no anchor defined before it in this document", ev.Start);
                    return Outcome.Error;
                }

                if (expectingKey)
                {
                    return SetKey(top!, target, ev.Start);
                }

                if (_stack.Count + target.Height > _options.MaxDepth)
                {
                    Error(ManifestErrorCodes.DepthLimit, $"the alias *{alias.Value.Value} nests the document deeper than the limit of {_options.MaxDepth}", ev.Start);
                    return Outcome.Limit;
                }

                var limit = Count(target.Nodes, target.Bytes, alias: true, ev.Start);
                return limit != Outcome.Ok ? limit : Attach(target, ev.Start);
            }

            case MappingStart or SequenceStart:
            {
                if (expectingKey)
                {
                    Error(ManifestErrorCodes.UnsupportedKey, "a mapping key must be a scalar, not a mapping or a sequence", ev.Start);
                    return Outcome.Error;
                }

                if (_stack.Count + 1 > _options.MaxDepth)
                {
                    Error(ManifestErrorCodes.DepthLimit, $"the document nests deeper than the limit of {_options.MaxDepth}", ev.Start);
                    return Outcome.Limit;
                }

                var limit = Count(1, 2, alias: false, ev.Start);
                if (limit != Outcome.Ok)
                {
                    return limit;
                }

                var line = (int)ev.Start.Line;
                var column = (int)ev.Start.Column;
                var anchor = ((NodeEvent)ev).Anchor;
                _stack.Add(ev is MappingStart
                    ? new Frame(new YMapping(line, column), null, anchor.IsEmpty ? null : anchor.Value)
                    : new Frame(null, new YSequence(line, column), anchor.IsEmpty ? null : anchor.Value));
                return Outcome.Ok;
            }

            case MappingEnd or SequenceEnd:
            {
                var frame = _stack[^1];
                _stack.RemoveAt(_stack.Count - 1);
                YNode node = frame.Mapping is { } mapping ? frame.FinishMapping(mapping) : frame.Sequence!;
                if (frame.Anchor is not null)
                {
                    (_anchors ??= new Dictionary<string, YNode>(StringComparer.Ordinal))[frame.Anchor] = node;
                }

                return Attach(node, ev.Start);
            }

            default:
                return Outcome.Ok;
        }
    }

    private Outcome Count(long nodes, long bytes, bool alias, Mark at)
    {
        _documentNodes += nodes;
        _documentBytes += bytes;
        if (_documentNodes > _options.MaxNodes)
        {
            Error(
                alias ? ManifestErrorCodes.AliasLimit : ManifestErrorCodes.NodeLimit,
                alias
                    ? $"aliases expand the document beyond the limit of {_options.MaxNodes} nodes"
                    : $"the document has more than the limit of {_options.MaxNodes} nodes",
                at);
            return Outcome.Limit;
        }

        if (_documentBytes > _options.MaxExpandedDocumentBytes)
        {
            Error(
                alias ? ManifestErrorCodes.AliasLimit : ManifestErrorCodes.DocumentTooLarge,
                $"the document expands beyond the limit of {_options.MaxExpandedDocumentBytes} characters",
                at);
            return Outcome.Limit;
        }

        return Outcome.Ok;
    }

    private Outcome SetKey(Frame frame, YNode keyNode, Mark at)
    {
        if (keyNode is not YScalar scalar)
        {
            Error(ManifestErrorCodes.UnsupportedKey, "a mapping key must be a scalar, not a mapping or a sequence", at);
            return Outcome.Error;
        }

        string key;
        switch (scalar.Kind)
        {
            case ScalarKind.String:
                key = scalar.Text;
                break;
            case ScalarKind.Bool:
                key = scalar.Integer != 0 ? "true" : "false";
                break;
            case ScalarKind.Int:
                key = scalar.Integer.ToString(CultureInfo.InvariantCulture);
                break;
            case ScalarKind.Float:
                key = YamlScalar.FormatFloatKey(scalar.Number);
                break;
            default:
                Error(ManifestErrorCodes.UnsupportedKey, $"the mapping key '{scalar.Text}' is null; keys must be strings", at);
                return Outcome.Error;
        }

        frame.SetKey(key, at, merge: false);
        return Count(0, key.Length + 3, alias: false, at);
    }

    private YScalar? MakeScalar(Scalar scalar)
    {
        var text = scalar.Value;
        var line = (int)scalar.Start.Line;
        var column = (int)scalar.Start.Column;
        long integer = 0;
        double number = 0;
        ScalarKind kind;
        string? expected = null;
        if (scalar.Tag.IsEmpty)
        {
            kind = scalar.Style == ScalarStyle.Plain ? YamlScalar.ResolvePlain(text, out integer, out number) : ScalarKind.String;
        }
        else
        {
            var tag = scalar.Tag.Value;
            var name = tag.StartsWith(TagPrefix, StringComparison.Ordinal) ? tag[TagPrefix.Length..] : null;
            switch (name)
            {
                case "int":
                    kind = YamlScalar.ResolvePlain(text, out integer, out number);
                    expected = kind is ScalarKind.Int || (kind is ScalarKind.Float && YamlScalar.IsIntegral(number, out _)) ? null : "an integer";
                    break;
                case "float":
                    kind = YamlScalar.ResolvePlain(text, out integer, out number);
                    if (kind == ScalarKind.Int)
                    {
                        kind = ScalarKind.Float;
                        number = integer;
                    }

                    expected = kind is ScalarKind.Float or ScalarKind.NonFinite ? null : "a number";
                    break;
                case "bool":
                    kind = YamlScalar.ResolvePlain(text, out integer, out number);
                    expected = kind == ScalarKind.Bool ? null : "a boolean";
                    break;
                case "null":
                    kind = YamlScalar.ResolvePlain(text, out integer, out number);
                    expected = kind == ScalarKind.Null ? null : "null";
                    break;
                default:
                    // !!str, the non-specific "!", !!timestamp, !!binary and unknown local tags keep the text.
                    kind = ScalarKind.String;
                    break;
            }

            if (expected is not null)
            {
                Error(ManifestErrorCodes.UnsupportedValue, $"the value '{text}' is tagged {tag} but is not {expected}", scalar.Start);
                return null;
            }
        }

        if (kind == ScalarKind.NonFinite)
        {
            Error(ManifestErrorCodes.UnsupportedValue, $"the value '{text}' is not a finite number; JSON cannot represent it", scalar.Start);
            return null;
        }

        return new YScalar(line, column, kind, text, integer, number);
    }

    private Outcome Attach(YNode node, Mark at)
    {
        if (_stack.Count == 0)
        {
            _root = node;
            return Outcome.Ok;
        }

        var frame = _stack[^1];
        if (frame.Sequence is { } sequence)
        {
            sequence.Items.Add(node);
            sequence.Nodes += node.Nodes;
            sequence.Bytes += node.Bytes + 1;
            sequence.Height = Math.Max(sequence.Height, node.Height + 1);
            return Outcome.Ok;
        }

        var mapping = frame.Mapping!;
        var key = frame.Key!;
        frame.HasKey = false;
        if (frame.KeyIsMerge)
        {
            if (!frame.AddMerge(node))
            {
                Error(ManifestErrorCodes.InvalidMerge, "a merge key (<<) must be given a mapping or a sequence of mappings", at);
                return Outcome.Error;
            }
        }
        else
        {
            var firstLine = frame.FindKeyLine(mapping, key);
            if (firstLine > 0)
            {
                ErrorAt(ManifestErrorCodes.DuplicateKey, $"the mapping key '{key}' is defined twice (first on line {firstLine})", frame.KeyLine, frame.KeyColumn);
                return Outcome.Error;
            }

            frame.AddEntry(mapping, new YEntry(key, node, frame.KeyLine, frame.KeyColumn));
        }

        mapping.Nodes += node.Nodes;
        mapping.Bytes += node.Bytes + key.Length + 3;
        mapping.Height = Math.Max(mapping.Height, node.Height + 1);
        return Outcome.Ok;
    }

    private void EmitDocument(YNode root)
    {
        if (root is YScalar { IsNull: true })
        {
            return;
        }

        if (root is not YMapping mapping)
        {
            ErrorAt(ManifestErrorCodes.NotAMapping, $"a document must be a mapping (a Kubernetes object), not {Describe(root)}", root.Line, root.Column);
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
            ErrorAt(ManifestErrorCodes.MissingApiVersion, "the object has no apiVersion", mapping.Line, mapping.Column);
            return;
        }

        if (apiVersionNode is not YScalar { AsString: { Length: > 0 } apiVersion })
        {
            ErrorAt(ManifestErrorCodes.InvalidField, "apiVersion must be a non-empty string", apiVersionNode.Line, apiVersionNode.Column);
            return;
        }

        if (kindNode is null || (kindNode is YScalar { IsNull: true }))
        {
            ErrorAt(ManifestErrorCodes.MissingKind, "the object has no kind", mapping.Line, mapping.Column);
            return;
        }

        if (kindNode is not YScalar { AsString: { Length: > 0 } kind })
        {
            ErrorAt(ManifestErrorCodes.InvalidField, "kind must be a non-empty string", kindNode.Line, kindNode.Column);
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
            ErrorAt(ManifestErrorCodes.InvalidField, "metadata must be a mapping", metadataNode.Line, metadataNode.Column, new ResourceKey(group, kind, string.Empty, string.Empty));
            return;
        }

        if (namespaceNode is not null and not YScalar { IsNull: true })
        {
            if (namespaceNode is not YScalar { AsString: { } ns })
            {
                ErrorAt(ManifestErrorCodes.InvalidField, "metadata.namespace must be a string", namespaceNode.Line, namespaceNode.Column, new ResourceKey(group, kind, string.Empty, string.Empty));
                return;
            }

            @namespace = ns;
        }

        if (nameNode is not null and not YScalar { IsNull: true })
        {
            if (nameNode is not YScalar { AsString: { } n })
            {
                ErrorAt(ManifestErrorCodes.InvalidField, "metadata.name must be a string", nameNode.Line, nameNode.Column, new ResourceKey(group, kind, @namespace, string.Empty));
                return;
            }

            name = n;
        }

        var key = new ResourceKey(group, kind, @namespace, name);
        if (name.Length == 0 && _options.RequireName)
        {
            var at = (YNode?)nameNode ?? (YNode?)(metadataNode as YMapping) ?? mapping;
            ErrorAt(ManifestErrorCodes.MissingName, $"the {kind} has no metadata.name", at.Line, at.Column, key);
            return;
        }

        if (_options.ValidateNames)
        {
            if (name.Length > 0 && KubernetesNames.ValidateName(group, kind, name) is { } nameProblem)
            {
                ErrorAt(ManifestErrorCodes.InvalidName, $"metadata.name '{name}' is not a valid {kind} name: it {nameProblem}", nameNode!.Line, nameNode.Column, key);
                return;
            }

            if (@namespace.Length > 0 && KubernetesNames.ValidateNamespace(@namespace) is { } namespaceProblem)
            {
                ErrorAt(ManifestErrorCodes.InvalidNamespace, $"metadata.namespace '{@namespace}' is not a valid namespace name: it {namespaceProblem}", namespaceNode!.Line, namespaceNode.Column, key);
                return;
            }
        }

        byte[] json;
        try
        {
            json = ToJson(mapping);
        }
        catch (ArgumentException)
        {
            ErrorAt(ManifestErrorCodes.UnsupportedValue, "the object holds text that is not valid Unicode (a lone surrogate)", mapping.Line, mapping.Column, key);
            return;
        }

        try
        {
            _objects.Add(KubeObject.Parse(json, new ObjectOrigin(_file, _documentIndex, mapping.Line, mapping.Column)));
        }
        catch (FormatException ex)
        {
            ErrorAt(ManifestErrorCodes.UnsupportedValue, ex.Message, mapping.Line, mapping.Column, key);
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
                        ErrorAt(ManifestErrorCodes.InvalidList, $"every item of a {kind} must be a mapping (an object), not {Describe(item)}", item.Line, item.Column);
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
                ErrorAt(ManifestErrorCodes.InvalidList, $"the items of a {kind} must be a sequence", items.Line, items.Column);
                return true;
        }
    }

    private byte[] ToJson(YNode node)
    {
        _buffer ??= new ArrayBufferWriter<byte>(4096);
        _buffer.ResetWrittenCount();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_buffer, WriterOptions);
        }
        else
        {
            _writer.Reset(_buffer);
        }

        WriteNode(_writer, node);
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private static void WriteNode(Utf8JsonWriter writer, YNode node)
    {
        switch (node)
        {
            case YScalar scalar:
                WriteScalar(writer, scalar);
                break;
            case YSequence sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YMapping mapping:
                writer.WriteStartObject();
                foreach (var entry in mapping.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    WriteNode(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YScalar scalar)
    {
        switch (scalar.Kind)
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.Bool:
                writer.WriteBooleanValue(scalar.Integer != 0);
                break;
            case ScalarKind.Int:
                writer.WriteNumberValue(scalar.Integer);
                break;
            case ScalarKind.Float:
                if (YamlScalar.IsIntegral(scalar.Number, out var integral))
                {
                    writer.WriteNumberValue(integral);
                }
                else
                {
                    writer.WriteRawValue(YamlScalar.FormatFloat(scalar.Number), skipInputValidation: true);
                }

                break;
            default:
                writer.WriteStringValue(scalar.Text);
                break;
        }
    }

    private void Error(string code, string message, Mark at) => ErrorAt(code, message, (int)at.Line, (int)at.Column);

    private void ErrorAt(string code, string message, int line, int column, ResourceKey? key = null) =>
        _errors.Add(new ManifestError(message, _file, _documentIndex, line, column) { Code = code, Object = key });

    /// <summary>An open mapping or sequence.</summary>
    private sealed class Frame
    {
        private const int IndexThreshold = 12;
        private Dictionary<string, int>? _index;
        private List<YMapping>? _merges;
        private int _mergeAt;

        public Frame(YMapping? mapping, YSequence? sequence, string? anchor)
        {
            Mapping = mapping;
            Sequence = sequence;
            Anchor = anchor;
        }

        public YMapping? Mapping { get; }

        public YSequence? Sequence { get; }

        public string? Anchor { get; }

        public bool HasKey { get; set; }

        public string? Key { get; private set; }

        public bool KeyIsMerge { get; private set; }

        public int KeyLine { get; private set; }

        public int KeyColumn { get; private set; }

        public void SetKey(string key, Mark at, bool merge)
        {
            Key = key;
            KeyIsMerge = merge;
            KeyLine = (int)at.Line;
            KeyColumn = (int)at.Column;
            HasKey = true;
        }

        /// <summary>Returns the line of an explicit key already in the mapping, or 0.</summary>
        public int FindKeyLine(YMapping mapping, string key)
        {
            if (_index is not null)
            {
                return _index.TryGetValue(key, out var i) ? mapping.Entries[i].Line : 0;
            }

            foreach (var entry in mapping.Entries)
            {
                if (string.Equals(entry.Key, key, StringComparison.Ordinal))
                {
                    return Math.Max(entry.Line, 1);
                }
            }

            return 0;
        }

        public void AddEntry(YMapping mapping, YEntry entry)
        {
            mapping.Entries.Add(entry);
            if (_index is not null)
            {
                _index[entry.Key] = mapping.Entries.Count - 1;
            }
            else if (mapping.Entries.Count > IndexThreshold)
            {
                _index = new Dictionary<string, int>(mapping.Entries.Count * 2, StringComparer.Ordinal);
                for (var i = 0; i < mapping.Entries.Count; i++)
                {
                    _index[mapping.Entries[i].Key] = i;
                }
            }
        }

        public bool AddMerge(YNode source)
        {
            if (_merges is null)
            {
                _mergeAt = Mapping!.Entries.Count;
                _merges = [];
            }

            switch (source)
            {
                case YMapping mapping:
                    _merges.Add(mapping);
                    return true;
                case YSequence sequence:
                    foreach (var item in sequence.Items)
                    {
                        if (item is not YMapping m)
                        {
                            return false;
                        }

                        _merges.Add(m);
                    }

                    return true;
                default:
                    return false;
            }
        }

        public YMapping FinishMapping(YMapping mapping)
        {
            if (_merges is null)
            {
                return mapping;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in mapping.Entries)
            {
                seen.Add(entry.Key);
            }

            var merged = new List<YEntry>();
            foreach (var source in _merges)
            {
                foreach (var entry in source.Entries)
                {
                    if (seen.Add(entry.Key))
                    {
                        merged.Add(entry);
                    }
                }
            }

            mapping.Entries.InsertRange(_mergeAt, merged);
            return mapping;
        }
    }
}
