using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GitOps.Sdk.Manifests;

/// <summary>Writes a resolved YAML node as JSON (numbers as kubectl writes them), reusing one buffer for a stream's documents.</summary>
internal sealed class YNodeJsonWriter : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = 256,
    };

    private ArrayBufferWriter<byte>? _buffer;
    private Utf8JsonWriter? _writer;

    public byte[] ToJson(YNode node)
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
                if (GoNumberFormat.IsIntegral(scalar.Number, out var integral))
                {
                    writer.WriteNumberValue(integral);
                }
                else
                {
                    writer.WriteRawValue(GoNumberFormat.FormatFloat(scalar.Number), skipInputValidation: true);
                }

                break;
            default:
                writer.WriteStringValue(scalar.Text);
                break;
        }
    }

    public void Dispose() => _writer?.Dispose();
}
