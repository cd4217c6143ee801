using System.Security.Cryptography;
using System.Text;

namespace GitOps.Sdk.Git;

/// <summary>
/// An armored SSH signature (<c>-----BEGIN SSH SIGNATURE-----</c>, the SSHSIG format of OpenSSH's PROTOCOL.sshsig, what
/// <c>ssh-keygen -Y sign</c> and git with <c>gpg.format=ssh</c> write).
/// </summary>
internal sealed class SshSignature
{
    public const string Armor = "-----BEGIN SSH SIGNATURE-----";
    private const string End = "-----END SSH SIGNATURE-----";
    private static readonly byte[] Magic = "SSHSIG"u8.ToArray();

    private SshSignature(SshPublicKey key, string @namespace, string hashAlgorithm, byte[] signatureBlob)
    {
        Key = key;
        Namespace = @namespace;
        HashAlgorithm = hashAlgorithm;
        SignatureBlob = signatureBlob;
    }

    /// <summary>Gets the public key the signature names (not yet trusted).</summary>
    public SshPublicKey Key { get; }

    /// <summary>Gets the namespace the signature was made for (<c>git</c> for commits and tags).</summary>
    public string Namespace { get; }

    /// <summary>Gets the hash of the message (<c>sha512</c> or <c>sha256</c>).</summary>
    public string HashAlgorithm { get; }

    private byte[] SignatureBlob { get; }

    /// <summary>Reads an armored signature.</summary>
    /// <exception cref="FormatException">It is not a well-formed SSHSIG of version 1.</exception>
    public static SshSignature Parse(string armored)
    {
        var start = armored.IndexOf(Armor, StringComparison.Ordinal);
        var end = armored.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new FormatException("not an armored SSH signature");
        }

        var body = new StringBuilder();
        foreach (var c in armored.AsSpan(start + Armor.Length, end - start - Armor.Length))
        {
            if (!char.IsWhiteSpace(c))
            {
                body.Append(c);
            }
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(body.ToString());
        }
        catch (FormatException)
        {
            throw new FormatException("the SSH signature is not valid base64");
        }

        var reader = new SshReader(raw);
        if (!reader.ReadRaw(Magic.Length).SequenceEqual(Magic))
        {
            throw new FormatException("the SSH signature lacks the SSHSIG preamble");
        }

        var version = reader.ReadUInt32();
        if (version != 1)
        {
            throw new FormatException($"SSH signature version {version} is not supported");
        }

        var key = SshPublicKey.FromBlob(reader.ReadBytes());
        var ns = reader.ReadString();
        reader.ReadBytes();
        var hash = reader.ReadString();
        var signature = reader.ReadBytes();
        return new SshSignature(key, ns, hash, signature);
    }

    /// <summary>Checks the signature over <paramref name="message"/> with the key it names.</summary>
    /// <returns><see langword="null"/> when valid, else why not.</returns>
    public string? Verify(ReadOnlySpan<byte> message)
    {
        byte[] digest;
        switch (HashAlgorithm)
        {
            case "sha512":
                digest = SHA512.HashData(message);
                break;
            case "sha256":
                digest = SHA256.HashData(message);
                break;
            default:
                return $"SSH signature hash '{HashAlgorithm}' is not supported";
        }

        using var signed = new MemoryStream();
        signed.Write(Magic);
        WriteString(signed, Encoding.UTF8.GetBytes(Namespace));
        WriteString(signed, []);
        WriteString(signed, Encoding.UTF8.GetBytes(HashAlgorithm));
        WriteString(signed, digest);
        return Key.Verify(SignatureBlob, signed.ToArray());
    }

    private static void WriteString(Stream stream, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        stream.Write(length);
        stream.Write(value);
    }
}
