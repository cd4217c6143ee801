using System.Buffers;
using System.Runtime.CompilerServices;

namespace GitOps.Sdk.Kubernetes;

/// <summary>Splits a watch response (one JSON event a line) into its non-blank lines as they arrive.</summary>
internal static class JsonLines
{
    /// <summary>
    /// Yields every complete non-blank line; an incomplete last line is dropped when the stream ends. A yielded line is
    /// valid only until the next one is asked for (the buffer is reused).
    /// </summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var scanFrom = 0;
        while (true)
        {
            var memory = buffer.GetMemory(8 * 1024);
            var read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                yield break;
            }

            buffer.Advance(read);

            // Hand out every complete line; keep the incomplete tail.
            var written = buffer.WrittenMemory;
            var start = 0;
            while (true)
            {
                var nl = written.Span[scanFrom..].IndexOf((byte)'\n');
                if (nl < 0)
                {
                    scanFrom = written.Length;
                    break;
                }

                var end = scanFrom + nl;
                var line = written[start..end];
                if (!line.Span.Trim((byte)' ').IsEmpty)
                {
                    yield return line;
                }

                start = end + 1;
                scanFrom = start;
            }

            if (start > 0)
            {
                var tail = written[start..].ToArray();
                buffer.ResetWrittenCount();
                buffer.Write(tail);
                scanFrom -= start;
            }
        }
    }
}
