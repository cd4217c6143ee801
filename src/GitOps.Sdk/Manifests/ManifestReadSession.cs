using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Sdk.Manifests;

/// <summary>One pass of <see cref="ManifestReader"/> over one stream: YAML events → resolved nodes → JSON objects.</summary>
internal sealed class ManifestReadSession
{
    private readonly ManifestReaderOptions _options;
    private readonly string _text;
    private readonly List<YamlFrame> _stack = [];
    private readonly List<KubeObject> _objects = [];
    private readonly ManifestErrorList _errors;
    private readonly YNodeJsonWriter _json = new();
    private readonly ManifestObjectEmitter _emitter;
    private Dictionary<string, YNode>? _anchors;

    private bool _inDocument;
    private bool _skipDocument;
    private long _documentStart;
    private long _documentNodes;
    private long _documentBytes;
    private YNode? _root;

    public ManifestReadSession(ManifestReaderOptions options, string file, string text)
    {
        _options = options;
        _text = text;
        _errors = new ManifestErrorList(file);
        _emitter = new ManifestObjectEmitter(options, _errors, _objects, _json);
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
                            _emitter.EmitDocument(_root);
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
                            _errors.At(ManifestErrorCodes.DocumentTooLarge, $"the document is larger than the limit of {_options.MaxDocumentBytes} characters", ev.Start);
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
            var (line, column) = ((int)ex.Start.Line, (int)ex.Start.Column);
            if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
            {
                (line, column) = YamlSyntaxErrors.FindTabIndentation(_text, line, column);
            }

            _errors.Add(new ManifestError(YamlSyntaxErrors.Message(ex), _errors.File, SyntaxErrorIndex, line, column) { Code = ManifestErrorCodes.Syntax });
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not YamlException) on some malformed flow collections, e.g. an
            // unterminated "[" after a flow mapping; it is still the user's syntax error, so report where reading stopped.
            _errors.Add(new ManifestError(
                "the YAML is not well formed after this point (an unterminated flow collection or scalar)",
                _errors.File,
                SyntaxErrorIndex,
                (int)lastEnd.Line,
                (int)lastEnd.Column) { Code = ManifestErrorCodes.Syntax });
        }

        return Finish();
    }

    /// <summary>A syntax error between documents belongs to the next one.</summary>
    private int SyntaxErrorIndex => _inDocument ? _errors.DocumentIndex : _errors.DocumentIndex + 1;

    private enum Outcome
    {
        Ok,
        Error,
        Limit,
    }

    private ManifestReadResult Finish()
    {
        _json.Dispose();
        return _errors.Count > 0
            ? new ManifestReadResult { Errors = [.. _errors.All] }
            : new ManifestReadResult { Objects = [.. _objects] };
    }


    private void StartDocument(ParsingEvent ev)
    {
        _errors.DocumentIndex++;
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
                    _errors.At(ManifestErrorCodes.UnknownAnchor, $"the alias *{alias.Value.Value} names no anchor defined before it in this document", ev.Start);
                    return Outcome.Error;
                }

                if (expectingKey)
                {
                    return SetKey(top!, target, ev.Start);
                }

                if (_stack.Count + target.Height > _options.MaxDepth)
                {
                    _errors.At(ManifestErrorCodes.DepthLimit, $"the alias *{alias.Value.Value} nests the document deeper than the limit of {_options.MaxDepth}", ev.Start);
                    return Outcome.Limit;
                }

                var limit = Count(target.Nodes, target.Bytes, alias: true, ev.Start);
                return limit != Outcome.Ok ? limit : Attach(target, ev.Start);
            }

            case MappingStart or SequenceStart:
            {
                if (expectingKey)
                {
                    _errors.At(ManifestErrorCodes.UnsupportedKey, "a mapping key must be a scalar, not a mapping or a sequence", ev.Start);
                    return Outcome.Error;
                }

                if (_stack.Count + 1 > _options.MaxDepth)
                {
                    _errors.At(ManifestErrorCodes.DepthLimit, $"the document nests deeper than the limit of {_options.MaxDepth}", ev.Start);
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
                    ? new YamlFrame(new YMapping(line, column), null, anchor.IsEmpty ? null : anchor.Value)
                    : new YamlFrame(null, new YSequence(line, column), anchor.IsEmpty ? null : anchor.Value));
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
            _errors.At(
                alias ? ManifestErrorCodes.AliasLimit : ManifestErrorCodes.NodeLimit,
                alias
                    ? $"aliases expand the document beyond the limit of {_options.MaxNodes} nodes"
                    : $"the document has more than the limit of {_options.MaxNodes} nodes",
                at);
            return Outcome.Limit;
        }

        if (_documentBytes > _options.MaxExpandedDocumentBytes)
        {
            _errors.At(
                alias ? ManifestErrorCodes.AliasLimit : ManifestErrorCodes.DocumentTooLarge,
                $"the document expands beyond the limit of {_options.MaxExpandedDocumentBytes} characters",
                at);
            return Outcome.Limit;
        }

        return Outcome.Ok;
    }

    private Outcome SetKey(YamlFrame frame, YNode keyNode, Mark at)
    {
        if (keyNode is not YScalar scalar)
        {
            _errors.At(ManifestErrorCodes.UnsupportedKey, "a mapping key must be a scalar, not a mapping or a sequence", at);
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
                key = GoNumberFormat.FormatFloatKey(scalar.Number);
                break;
            default:
                _errors.At(ManifestErrorCodes.UnsupportedKey, $"the mapping key '{scalar.Text}' is null; keys must be strings", at);
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
        if (scalar.Tag.IsEmpty)
        {
            kind = scalar.Style == ScalarStyle.Plain ? YamlScalar.ResolvePlain(text, out integer, out number) : ScalarKind.String;
        }
        else
        {
            kind = YamlScalar.ResolveTagged(text, scalar.Tag.Value, out integer, out number, out var expected);
            if (expected is not null)
            {
                _errors.At(ManifestErrorCodes.UnsupportedValue, $"the value '{text}' is tagged {scalar.Tag.Value} but is not {expected}", scalar.Start);
                return null;
            }
        }

        if (kind == ScalarKind.NonFinite)
        {
            _errors.At(ManifestErrorCodes.UnsupportedValue, $"the value '{text}' is not a finite number; JSON cannot represent it", scalar.Start);
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
                _errors.At(ManifestErrorCodes.InvalidMerge, "a merge key (<<) must be given a mapping or a sequence of mappings", at);
                return Outcome.Error;
            }
        }
        else
        {
            var firstLine = frame.FindKeyLine(mapping, key);
            if (firstLine > 0)
            {
                _errors.At(ManifestErrorCodes.DuplicateKey, $"the mapping key '{key}' is defined twice (first on line {firstLine})", frame.KeyLine, frame.KeyColumn);
                return Outcome.Error;
            }

            frame.AddEntry(mapping, new YEntry(key, node, frame.KeyLine, frame.KeyColumn));
        }

        mapping.Nodes += node.Nodes;
        mapping.Bytes += node.Bytes + key.Length + 3;
        mapping.Height = Math.Max(mapping.Height, node.Height + 1);
        return Outcome.Ok;
    }
}
