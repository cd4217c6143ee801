using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace GitOps.Sdk.Git;

/// <summary>
/// Trusted OpenPGP public keys (BouncyCastle) and the check of a detached signature as <c>gpgv</c> would make it: the
/// issuing key or subkey is in the ring, able to sign (subkeys bound by their primary key), neither revoked nor expired
/// when it signed, and the signature is a binary or text document signature with a hash stronger than SHA-1.
/// </summary>
internal sealed class OpenPgpKeyring
{
    private const string Armor = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    private readonly List<PgpPublicKeyRing> rings;

    private OpenPgpKeyring(List<PgpPublicKeyRing> rings) => this.rings = rings;

    /// <summary>Gets the number of primary keys.</summary>
    public int Count => rings.Count;

    /// <summary>Reads armored or binary key blocks.</summary>
    /// <param name="blocks">Each item: one or more armored key blocks, or binary key data, with where it came from.</param>
    /// <exception cref="FormatException">A block is not an OpenPGP public key.</exception>
    public static OpenPgpKeyring Load(IEnumerable<(byte[] Data, string Origin)> blocks)
    {
        var rings = new List<PgpPublicKeyRing>();
        foreach (var (data, origin) in blocks)
        {
            var text = Encoding.UTF8.GetString(data);
            var parts = text.Contains(Armor, StringComparison.Ordinal)
                ? text.Split(Armor, StringSplitOptions.RemoveEmptyEntries).Where(p => p.Contains("-----END PGP", StringComparison.Ordinal)).Select(p => Encoding.UTF8.GetBytes(Armor + p)).ToList()
                : [data];
            foreach (var part in parts)
            {
                try
                {
                    using var stream = PgpUtilities.GetDecoderStream(new MemoryStream(part));
                    var bundle = new PgpPublicKeyRingBundle(stream);
                    rings.AddRange(bundle.GetKeyRings());
                }
                catch (Exception e) when (e is IOException or PgpException or ArgumentException)
                {
                    throw new FormatException($"{origin}: not an OpenPGP public key block ({e.Message})", e);
                }
            }

            if (parts.Count == 0)
            {
                throw new FormatException($"{origin}: not an OpenPGP public key block");
            }
        }

        return new OpenPgpKeyring(rings);
    }

    /// <summary>Checks an armored detached signature over <paramref name="data"/>.</summary>
    /// <param name="armored">The signature (<c>-----BEGIN PGP SIGNATURE-----</c>).</param>
    /// <param name="data">The signed bytes.</param>
    /// <param name="requiredEmail">When set, a user ID of the key must carry this address.</param>
    /// <param name="now">The current time (signature expiry).</param>
    /// <returns>The result.</returns>
    public SignatureCheck Verify(string armored, byte[] data, string? requiredEmail, DateTimeOffset now)
    {
        PgpSignature signature;
        try
        {
            using var stream = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.UTF8.GetBytes(armored)));
            var factory = new PgpObjectFactory(stream);
            var list = factory.NextPgpObject() as PgpSignatureList;
            if (list is null || list.Count != 1)
            {
                return SignatureCheck.Bad(null, "the OpenPGP signature is malformed (expected one detached signature)");
            }

            signature = list[0];
        }
        catch (Exception e) when (e is IOException or PgpException)
        {
            return SignatureCheck.Bad(null, "the OpenPGP signature is malformed");
        }

        var issuer = signature.KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        var (ring, key) = Find(signature.KeyId);
        if (ring is null || key is null)
        {
            return SignatureCheck.Untrusted($"OpenPGP key {issuer}", "the key is not among the policy's OpenPGP public keys");
        }

        var primary = ring.GetPublicKey();
        var signer = $"OpenPGP key {Hex(key.GetFingerprint())}" + (key.IsMasterKey ? string.Empty : $" (subkey of {Hex(primary.GetFingerprint())})");
        if (signature.SignatureType is not (PgpSignature.BinaryDocument or PgpSignature.CanonicalTextDocument))
        {
            return SignatureCheck.Bad(signer, $"OpenPGP signature type 0x{signature.SignatureType:x2} is not a document signature");
        }

        if (signature.HashAlgorithm is HashAlgorithmTag.MD5 or HashAlgorithmTag.Sha1 or HashAlgorithmTag.RipeMD160 or HashAlgorithmTag.MD2)
        {
            return SignatureCheck.Bad(signer, $"the OpenPGP signature uses the weak hash {signature.HashAlgorithm}");
        }

        bool valid;
        try
        {
            signature.InitVerify(key);
            signature.Update(data);
            valid = signature.Verify();
        }
        catch (PgpException)
        {
            valid = false;
        }

        if (!valid)
        {
            return SignatureCheck.Bad(signer, "the signature does not match the signed content");
        }

        var signedAt = new DateTimeOffset(DateTime.SpecifyKind(signature.CreationTime, DateTimeKind.Utc));
        if (KeyProblem(primary, key, signedAt) is { } problem)
        {
            return SignatureCheck.Untrusted(signer, problem);
        }

        var expires = signature.GetHashedSubPackets()?.GetSignatureExpirationTime() ?? 0;
        if (expires > 0 && signedAt.AddSeconds(expires) < now)
        {
            return SignatureCheck.Untrusted(signer, $"the signature expired at {signedAt.AddSeconds(expires):u}");
        }

        var identities = CertifiedUserIds(primary).ToList();
        if (requiredEmail is not null && !identities.Any(id => id.Contains($"<{requiredEmail}>", StringComparison.OrdinalIgnoreCase) || string.Equals(id, requiredEmail, StringComparison.OrdinalIgnoreCase)))
        {
            return SignatureCheck.Untrusted(signer, $"no user ID of the key has the committer's address '{requiredEmail}'");
        }

        return SignatureCheck.Good(signer + (identities.Count > 0 ? $" \"{identities[0]}\"" : string.Empty), signedAt);
    }

    private static string? KeyProblem(PgpPublicKey primary, PgpPublicKey key, DateTimeOffset signedAt)
    {
        if (primary.HasRevocation())
        {
            return "the primary key is revoked";
        }

        if (!key.IsMasterKey)
        {
            if (key.HasRevocation())
            {
                return "the subkey is revoked";
            }

            var binding = key.GetSignaturesOfType(PgpSignature.SubkeyBinding).FirstOrDefault(s => VerifyBinding(s, primary, key));
            if (binding is null)
            {
                return "the subkey carries no valid binding signature of its primary key";
            }

            if (!CanSign(binding))
            {
                return "the subkey is not a signing key";
            }
        }
        else
        {
            var selfSignatures = primary.GetSignatures().Cast<PgpSignature>().Where(s => s.KeyId == primary.KeyId && s.GetHashedSubPackets()?.HasSubpacket(SignatureSubpacketTag.KeyFlags) == true).ToList();
            if (selfSignatures.Count > 0 && !selfSignatures.Any(CanSign))
            {
                return "the primary key is not a signing key";
            }
        }

        var created = new DateTimeOffset(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc));
        if (signedAt < created)
        {
            return "the signature is older than the key";
        }

        var validSeconds = key.GetValidSeconds();
        if (validSeconds > 0 && created.AddSeconds(validSeconds) < signedAt)
        {
            return $"the key had expired ({created.AddSeconds(validSeconds):u}) when it signed";
        }

        return null;
    }

    private static bool VerifyBinding(PgpSignature binding, PgpPublicKey primary, PgpPublicKey subkey)
    {
        try
        {
            binding.InitVerify(primary);
            return binding.VerifyCertification(primary, subkey);
        }
        catch (PgpException)
        {
            return false;
        }
    }

    private static bool CanSign(PgpSignature signature)
    {
        var flags = signature.GetHashedSubPackets();
        return flags is null || !flags.HasSubpacket(SignatureSubpacketTag.KeyFlags) || (flags.GetKeyFlags() & PgpKeyFlags.CanSign) != 0;
    }

    private static IEnumerable<string> CertifiedUserIds(PgpPublicKey primary)
    {
        foreach (var id in primary.GetUserIds())
        {
            var certified = primary.GetSignaturesForId(id)?.Any(s =>
            {
                if (s.KeyId != primary.KeyId)
                {
                    return false;
                }

                try
                {
                    s.InitVerify(primary);
                    return s.VerifyCertification(id, primary);
                }
                catch (PgpException)
                {
                    return false;
                }
            }) == true;
            if (certified)
            {
                yield return id;
            }
        }
    }

    private (PgpPublicKeyRing? Ring, PgpPublicKey? Key) Find(long keyId)
    {
        foreach (var ring in rings)
        {
            if (ring.GetPublicKey(keyId) is { } key)
            {
                return (ring, key);
            }
        }

        return (null, null);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);
}
