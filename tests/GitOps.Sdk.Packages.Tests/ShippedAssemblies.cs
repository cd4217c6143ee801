using System.Reflection;
using System.Xml.Linq;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Packages.Tests;

/// <summary>Every assembly built from a project under <c>src/</c>, by package (project) name; loading fails when this project does not reference one.</summary>
internal static class ShippedAssemblies
{
    public static IReadOnlyList<(string Package, Assembly Assembly)> All { get; } = Load();

    private static (string, Assembly)[] Load()
    {
        var projects = Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToArray();
        projects.Should().NotBeEmpty();
        return [.. projects.Select(p =>
        {
            var package = Path.GetFileNameWithoutExtension(p);
            var assemblyName = XDocument.Load(p).Descendants("AssemblyName").FirstOrDefault()?.Value ?? package;
            return (package, Assembly.Load(new AssemblyName(assemblyName)));
        })];
    }
}
