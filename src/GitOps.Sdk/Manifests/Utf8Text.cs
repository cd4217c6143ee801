using System.Text;

namespace GitOps.Sdk.Manifests;

/// <summary>
/// Decodes manifest files strictly: invalid UTF-8 is an error with its byte offset, never silently replaced by U+FFFD
/// (the API server would store the replacement character; kubectl refuses such files). A UTF-8 byte-order mark is
/// skipped; files with a UTF-16 or UTF-32 byte-order mark are decoded as such, strictly too.
/// </summary>
internal static class Utf8Text
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>; returns the byte offset of the first invalid sequence, or <see langword="null"/>.</summary>
    public static long? Decode(byte[] bytes, out string text)
    {
        var (encoding, skip) = bytes switch
        {
            [0xEF, 0xBB, 0xBF, ..] => ((Encoding)StrictUtf8, 3),
            [0xFF, 0xFE, 0x00, 0x00, ..] => (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
            [0x00, 0x00, 0xFE, 0xFF, ..] => (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
            [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            _ => (StrictUtf8, 0),
        };
        try
        {
            text = encoding.GetString(bytes, skip, bytes.Length - skip);
            return null;
        }
        catch (DecoderFallbackException ex)
        {
            text = string.Empty;
            return skip + Math.Max(0, ex.Index);
        }
    }
}
