using System.Collections.Immutable;
using System.Reflection;
using GitOps.Sdk.Hosting;

namespace GitOps.Sdk.Tests.Hosting;

public sealed class ApplicationDefinitionTests
{
    private static ApplicationDefinition Full() => new()
    {
        Name = "shop",
        Source = new SourceReference { Url = "https://git.example.com/shop.git", Ref = "main", Properties = new Dictionary<string, string> { ["depth"] = "1" } },
        Path = "apps/shop",
        Namespace = "shop",
        RendererOptions = ImmutableDictionary<string, IRendererOptions>.Empty.Add("custom", new ListRendererOptions(["values.yaml"])),
        CommonLabels = ImmutableDictionary<string, string>.Empty.Add("team", "shop").Add("tier", "web"),
        Variables = ImmutableDictionary<string, string>.Empty.Add("ENV", "prod"),
        AllowedNamespaces = ["shop", "shop-*"],
        IgnoreRules = [new IgnoreRule { Kind = "Deployment", JsonPointers = ["/spec/replicas"] }],
    };

    [Fact]
    public void Equals_SameSettingsInFreshCollections_AreEqual()
    {
        var a = Full();

        // Everything rebuilt: new arrays, dictionaries built in another order, a new source with new properties.
        var b = a with
        {
            Source = a.Source! with { Properties = new Dictionary<string, string> { ["depth"] = "1" } },
            RendererOptions = ImmutableDictionary<string, IRendererOptions>.Empty.Add("custom", new ListRendererOptions(["values.yaml"])),
            CommonLabels = ImmutableDictionary<string, string>.Empty.Add("tier", "web").Add("team", "shop"),
            AllowedNamespaces = [.. a.AllowedNamespaces],
            IgnoreRules = [new IgnoreRule { Kind = "Deployment", JsonPointers = ["/spec/replicas"] }],
        };

        b.Should().Be(a);
        (b == a).Should().BeTrue();
        b.GetHashCode().Should().Be(a.GetHashCode());
        (a with { DeniedKinds = default }).Should().Be(a, "a default ImmutableArray counts as empty");
    }

    /// <summary>
    /// Every public property takes part in equality: a changed definition must restart its reconcile loop. A property of a
    /// type this test cannot change fails it, so a new property cannot slip past.
    /// </summary>
    [Fact]
    public void Equals_AnyPropertyChanged_IsNotEqual()
    {
        var original = Full();
        var properties = typeof(ApplicationDefinition).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        properties.Should().HaveCountGreaterThan(20);

        foreach (var property in properties)
        {
            var changed = CloneWith(original, property, Change(property.PropertyType, property.GetValue(original), property.Name));

            changed.Should().NotBe(original, $"{property.Name} differs");
            changed.Equals(original).Should().BeFalse(property.Name);
        }

        CloneWith(original, typeof(ApplicationDefinition).GetProperty(nameof(ApplicationDefinition.Source))!, original.Source! with { Properties = new Dictionary<string, string> { ["depth"] = "2" } })
            .Should().NotBe(original, "a source property differs");
        (original with { IgnoreRules = [new IgnoreRule { Kind = "Deployment", JsonPointers = ["/spec/template"] }] })
            .Should().NotBe(original, "an ignore rule's pointer differs");
    }

    private static ApplicationDefinition CloneWith(ApplicationDefinition original, PropertyInfo property, object? value)
    {
        var copy = original with { };
        property.SetValue(copy, value);
        return copy;
    }

    private static object? Change(Type type, object? value, string name) => type switch
    {
        _ when type == typeof(string) => (string?)value + "x",
        _ when type == typeof(bool) => !(bool)value!,
        _ when type == typeof(TimeSpan) => (TimeSpan)value! + TimeSpan.FromSeconds(1),
        _ when type == typeof(ReconcileMode) => (ReconcileMode)value! == ReconcileMode.Correct ? ReconcileMode.DetectOnly : ReconcileMode.Correct,
        _ when type == typeof(SourceReference) => ((SourceReference)value!) with { Ref = "other" },
        _ when type == typeof(ImmutableArray<string>) => ((ImmutableArray<string>)value!).Add("x"),
        _ when type == typeof(ImmutableArray<IgnoreRule>) => ((ImmutableArray<IgnoreRule>)value!).Add(new IgnoreRule { Kind = "x", JsonPointers = ["/x"] }),
        _ when type == typeof(ImmutableDictionary<string, string>) => ((ImmutableDictionary<string, string>)value!).SetItem("x", "y"),
        _ when type == typeof(ImmutableDictionary<string, IRendererOptions>) => ((ImmutableDictionary<string, IRendererOptions>)value!).SetItem("custom", new ListRendererOptions(["other.yaml"])),
        _ => throw new InvalidOperationException($"ApplicationDefinition.{name} has type {type}, which this test cannot change: add a case."),
    };

    /// <summary>Renderer settings holding an array: equal content in a fresh array must still compare equal.</summary>
    private sealed record ListRendererOptions(ImmutableArray<string> Files) : IRendererOptions
    {
        public string CacheKey => string.Join("\n", Files);
    }
}
