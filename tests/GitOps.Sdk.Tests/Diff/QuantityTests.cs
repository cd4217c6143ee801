using GitOps.Sdk.Diff;

namespace GitOps.Sdk.Tests.Diff;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("500m", "0.5")]
    [InlineData("0.5", "500m")]
    [InlineData("1Gi", "1073741824")]
    [InlineData("1536Mi", "1.5Gi")]
    [InlineData("1G", "1000M")]
    [InlineData("1k", "1000")]
    [InlineData("1e3", "1k")]
    [InlineData("1E3", "1000")]
    [InlineData("1Ki", "1024")]
    [InlineData("2", "2000m")]
    [InlineData("100n", "0.0000001")]
    [InlineData("1u", "1000n")]
    [InlineData("+1", "1")]
    [InlineData("-1", "-1000m")]
    [InlineData("0", "0m")]
    [InlineData(".5", "500m")]
    [InlineData("1Ei", "1152921504606846976")]
    [InlineData("12e-3", "12m")]
    public void SemanticEquals_SameAmountSpelledDifferently_AreEqual(string a, string b)
    {
        Quantity.TryParse(a, out var qa).Should().BeTrue();
        Quantity.TryParse(b, out var qb).Should().BeTrue();

        Quantity.SemanticEquals(qa, qb).Should().BeTrue();
    }

    [Theory]
    [InlineData("100Mi", "100M")]
    [InlineData("1Gi", "1G")]
    [InlineData("500m", "0.05")]
    [InlineData("1", "1001m")]
    [InlineData("1k", "1Ki")]
    public void SemanticEquals_DifferentAmounts_AreNotEqual(string a, string b)
    {
        Quantity.TryParse(a, out var qa).Should().BeTrue();
        Quantity.TryParse(b, out var qb).Should().BeTrue();

        Quantity.SemanticEquals(qa, qb).Should().BeFalse();
    }

    [Fact]
    public void SemanticEquals_DesiredFinerThanMilli_EqualsServerRoundedUpValue()
    {
        Quantity.TryParse("0.0001", out var desired).Should().BeTrue();
        Quantity.TryParse("1m", out var live).Should().BeTrue();

        Quantity.SemanticEquals(desired, live).Should().BeTrue();
        Quantity.SemanticEquals(live, desired).Should().BeFalse("only the desired side is rounded, as the server rounds what it stores");
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1Gb")]
    [InlineData("1gi")]
    [InlineData("--1")]
    [InlineData("m")]
    [InlineData("1e")]
    [InlineData("1 Gi")]
    [InlineData("1e999")]
    public void TryParse_NotAQuantity_ReturnsFalse(string text)
    {
        Quantity.TryParse(text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("250m", 0.25)]
    [InlineData("64Mi", 67108864)]
    [InlineData("1.5", 1.5)]
    [InlineData("3T", 3e12)]
    public void TryParse_Quantity_HasExactValue(string text, double expected)
    {
        Quantity.TryParse(text, out var q).Should().BeTrue();

        q.Value.Should().Be((decimal)expected);
    }
}
