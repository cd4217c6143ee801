using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace GitOps.Sdk.Git;

/// <summary>An SSH public key in wire format (<c>string keytype, …</c>), able to check signatures made by its private key.</summary>
internal sealed class SshPublicKey
{
    private SshPublicKey(string type, byte[] blob)
    {
        Type = type;
        Blob = blob;
        Fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    /// <summary>Gets the key type (<c>ssh-ed25519</c>, <c>ssh-rsa</c>, <c>ecdsa-sha2-nistp256</c>, …).</summary>
    public string Type { get; }

    /// <summary>Gets the wire-format blob; two keys are the same key when their blobs are equal.</summary>
    public byte[] Blob { get; }

    /// <summary>Gets the fingerprint as <c>ssh-keygen -l</c> prints it (<c>SHA256:…</c>).</summary>
    public string Fingerprint { get; }

    /// <summary>Returns whether <paramref name="type"/> names an SSH key type (supported or not), so a token can be told from options.</summary>
    public static bool IsKeyType(string type) =>
        type is "ssh-ed25519" or "ssh-rsa" or "ssh-dss" or "ssh-ed448"
        || type.StartsWith("ecdsa-sha2-", StringComparison.Ordinal)
        || type.StartsWith("sk-", StringComparison.Ordinal)
        || type.EndsWith("-cert-v01@openssh.com", StringComparison.Ordinal);

    /// <summary>Reads a wire-format key blob.</summary>
    /// <exception cref="FormatException">The blob is malformed.</exception>
    public static SshPublicKey FromBlob(byte[] blob)
    {
        var reader = new SshReader(blob);
        return new SshPublicKey(reader.ReadString(), blob);
    }

    /// <summary>
    /// Checks an SSH signature blob (<c>string algorithm, string signature</c>) over <paramref name="data"/>. Supported:
    /// <c>ssh-ed25519</c>, RSA with <c>rsa-sha2-512</c> or <c>rsa-sha2-256</c> (never SHA-1, as <c>ssh-keygen</c> refuses
    /// it for SSHSIG), <c>ecdsa-sha2-nistp256/384/521</c>.
    /// </summary>
    /// <returns><see langword="null"/> when the signature is valid, else why not.</returns>
    public string? Verify(byte[] signatureBlob, byte[] data)
    {
        try
        {
            var signature = new SshReader(signatureBlob);
            var algorithm = signature.ReadString();
            var bytes = signature.ReadBytes();
            var key = new SshReader(Blob);
            key.ReadString();
            switch (Type)
            {
                case "ssh-ed25519":
                    {
                        var point = key.ReadBytes();
                        if (algorithm != Type || point.Length != Ed25519.PublicKeySize || bytes.Length != Ed25519.SignatureSize)
                        {
                            return $"malformed {Type} signature";
                        }

                        return Ed25519.Verify(bytes, 0, point, 0, data, 0, data.Length) ? null : "the signature does not match the signed content";
                    }

                case "ssh-rsa":
                    {
                        var hash = algorithm switch
                        {
                            "rsa-sha2-512" => HashAlgorithmName.SHA512,
                            "rsa-sha2-256" => HashAlgorithmName.SHA256,
                            _ => default,
                        };
                        if (hash == default)
                        {
                            return $"RSA signature algorithm '{algorithm}' is not accepted (rsa-sha2-512 or rsa-sha2-256 only)";
                        }

                        var exponent = key.ReadMpint();
                        var modulus = key.ReadMpint();
                        if (modulus.Length * 8 < 1024)
                        {
                            return "the RSA key is shorter than 1024 bits";
                        }

                        using var rsa = RSA.Create();
                        rsa.ImportParameters(new RSAParameters { Exponent = exponent, Modulus = modulus });
                        return rsa.VerifyData(data, bytes, hash, RSASignaturePadding.Pkcs1) ? null : "the signature does not match the signed content";
                    }

                case "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384" or "ecdsa-sha2-nistp521":
                    {
                        var (curve, hash, size) = Type switch
                        {
                            "ecdsa-sha2-nistp256" => (ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256, 32),
                            "ecdsa-sha2-nistp384" => (ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, 48),
                            _ => (ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512, 66),
                        };
                        if (algorithm != Type)
                        {
                            return $"malformed {Type} signature";
                        }

                        key.ReadString();
                        var q = key.ReadBytes();
                        if (q.Length != 1 + (2 * size) || q[0] != 4)
                        {
                            return "the ECDSA key is not an uncompressed point";
                        }

                        var rs = new SshReader(bytes);
                        var ieee = new byte[2 * size];
                        if (!FitUnsigned(rs.ReadMpint(), ieee.AsSpan(0, size)) || !FitUnsigned(rs.ReadMpint(), ieee.AsSpan(size)))
                        {
                            return $"malformed {Type} signature";
                        }

                        using var ecdsa = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = q[1..(1 + size)], Y = q[(1 + size)..] } });
                        return ecdsa.VerifyData(data, ieee, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation) ? null : "the signature does not match the signed content";
                    }

                default:
                    return $"SSH key type '{Type}' is not supported (ssh-ed25519, ssh-rsa and ecdsa-sha2-nistp256/384/521 are)";
            }
        }
        catch (FormatException e)
        {
            return e.Message;
        }
        catch (CryptographicException)
        {
            return $"the {Type} key or signature is malformed";
        }
    }

    private static bool FitUnsigned(byte[] value, Span<byte> target)
    {
        var trimmed = value.AsSpan().TrimStart((byte)0);
        if (trimmed.Length > target.Length)
        {
            return false;
        }

        trimmed.CopyTo(target[(target.Length - trimmed.Length)..]);
        return true;
    }
}

/// <summary>Reads the SSH wire encoding (RFC 4251: <c>uint32</c>, <c>string</c>, <c>mpint</c>).</summary>
internal ref struct SshReader
{
    private ReadOnlySpan<byte> rest;

    public SshReader(ReadOnlySpan<byte> data) => rest = data;

    public readonly bool AtEnd => rest.IsEmpty;

    public uint ReadUInt32()
    {
        if (rest.Length < 4)
        {
            throw new FormatException("truncated SSH data");
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(rest);
        rest = rest[4..];
        return value;
    }

    public byte[] ReadBytes()
    {
        var length = ReadUInt32();
        if (length > rest.Length)
        {
            throw new FormatException("truncated SSH data");
        }

        var value = rest[..(int)length].ToArray();
        rest = rest[(int)length..];
        return value;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Reads an mpint as unsigned big-endian bytes without the sign byte.</summary>
    public byte[] ReadMpint()
    {
        var value = ReadBytes();
        return value.Length > 0 && value[0] == 0 ? value[1..] : value;
    }

    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if (count > rest.Length)
        {
            throw new FormatException("truncated SSH data");
        }

        var value = rest[..count];
        rest = rest[count..];
        return value;
    }
}
