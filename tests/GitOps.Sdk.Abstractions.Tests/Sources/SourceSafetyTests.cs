namespace GitOps.Sdk.Abstractions.Tests;

public sealed class SourceSafetyTests
{
    [Theory]
    [InlineData("https://user:s3cret@git.example.com/repo.git", "https://***@git.example.com/repo.git")]
    [InlineData("https://token@git.example.com/repo.git", "https://***@git.example.com/repo.git")]
    [InlineData("https://git.example.com/repo.git?token=s3cret&x=1", "https://git.example.com/repo.git?***")]
    [InlineData("https://u:p@h.example.com/a?sig=s3cret", "https://***@h.example.com/a?***")]
    [InlineData("https://git.example.com/team@2024/repo.git", "https://git.example.com/team@2024/repo.git")]
    [InlineData("oci://registry.example.com/charts/web", "oci://registry.example.com/charts/web")]
    [InlineData("git@github.com:org/repo.git", "git@github.com:org/repo.git")]
    [InlineData("/local/path", "/local/path")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Redact_RemovesUserInfoAndQuery(string? url, string expected)
    {
        SafeUrl.Redact(url).Should().Be(expected);
    }

    [Fact]
    public void SourceReference_ToString_HasNoCredentials()
    {
        var source = new SourceReference { Url = "https://user:s3cret@git.example.com/repo.git", Ref = "main", Path = "apps/web" };

        source.ToString().Should().Be("https://***@git.example.com/repo.git@main//apps/web");
    }

    private static readonly SourceCredentials Credentials = new()
    {
        Username = "deploy",
        Password = "pa55word",
        BearerToken = "tok-123",
        SshPrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----abc",
        SshPassphrase = "phrase-9",
        CaCertificatePem = "-----BEGIN CERTIFICATE-----",
    };

    private static readonly string[] Secrets = ["pa55word", "tok-123", "OPENSSH PRIVATE KEY", "phrase-9"];

    private sealed record Holder(string Name, SourceCredentials Credentials);

    [Fact]
    public void ToString_NeverPrintsSecrets()
    {
        var texts = new[]
        {
            Credentials.ToString(),
            $"{Credentials}",
            new Holder("h", Credentials).ToString(),
            string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", Credentials),
        };

        foreach (var text in texts)
        {
            foreach (var secret in Secrets)
            {
                text.Should().NotContain(secret);
            }

            text.Should().Contain("deploy").And.Contain("***");
        }
    }

    [Fact]
    public void Equality_StillComparesValues()
    {
        (Credentials with { Password = "other" }).Should().NotBe(Credentials);
        (Credentials with { }).Should().Be(Credentials);
    }
}
