using GitOps.Sdk.Manifests;

namespace GitOps.Sdk.Tests.Manifests;

public sealed class Utf8TextTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0xFF, (byte)'c' }, 2)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a', 0xC3 }, 4)]
    [InlineData(new byte[] { (byte)'a', 0xE2, 0x82 }, 1)]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 0)]
    public void Decode_InvalidSequence_ReturnsItsByteOffset(byte[] bytes, long offset)
    {
        Utf8Text.Decode(bytes, out _).Should().Be(offset);
    }

    [Fact]
    public void Decode_ValidWithBom_SkipsTheBom()
    {
        Utf8Text.Decode([0xEF, 0xBB, 0xBF, .. "é: x"u8.ToArray()], out var text).Should().BeNull();
        text.Should().Be("é: x");
    }

    [Fact]
    public void ReadFile_InvalidUtf8_IsAnErrorNamingFileAndOffset()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [.. "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \""u8.ToArray(), 0xFF, (byte)'"']);

            var result = new ManifestReader().ReadFile(path, "apps/bad.yaml");

            result.Objects.Should().BeEmpty();
            result.Errors.Should().ContainSingle().Which.Should().BeEquivalentTo(new { File = "apps/bad.yaml", Code = ManifestErrorCodes.InvalidUtf8 });
            result.Errors[0].Message.Should().Contain("byte offset 50");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
