using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Tests.Corpus;

/// <summary>
/// The recorded real-server corpus is vendored in the repository (tests/testdata/kube-live). A lost or truncated folder
/// is a red build here, not hundreds of theory cases silently gone.
/// </summary>
public sealed class CorpusInventoryTests
{
    [Fact]
    public void KubeLive_IsInsideTheRepository()
    {
        Path.GetFullPath(TestPaths.KubeLive).Should().StartWith(Path.GetFullPath(TestPaths.RepositoryRoot) + Path.DirectorySeparatorChar);
        File.Exists(Path.Combine(TestPaths.KubeLive, "README.md")).Should().BeTrue("the README says how the data was recorded");
    }

    [Fact]
    public void Cases_Are44_EachWithDesiredLiveDryRunAndExpected()
    {
        var names = TestPaths.KubeLiveCaseNames;

        names.Should().HaveCount(44);
        names[0].Should().Be("01-namespace-labels");
        names[^1].Should().Be("44-drift-removed-from-desired");
        foreach (var name in names)
        {
            foreach (var file in new[] { "desired.yaml", "live.json", "dryrun.json", "expected.json" })
            {
                File.Exists(Path.Combine(TestPaths.KubeLive, "cases", name, file)).Should().BeTrue($"case {name} records {file}");
            }
        }

        names.Count(n => File.Exists(Path.Combine(TestPaths.KubeLive, "cases", n, "mutation.sh"))).Should().Be(14, "cases 31-44 mutate the live object with kubectl");
    }

    [Fact]
    public void Wire_HasAtLeast15Exchanges()
    {
        TestPaths.KubeLiveFiles("wire", "*.http").Should().HaveCountGreaterThanOrEqualTo(15);
    }

    [Fact]
    public void Discovery_Has11Documents()
    {
        TestPaths.KubeLiveFiles(Path.Combine("wire", "discovery"), "*.json").Select(Path.GetFileName).Should().HaveCount(11)
            .And.Contain(["api.json", "apis.json", "api-v1.json", "apis-caching.example.io-v1alpha1.json"]);
    }

    [Fact]
    public void CrdEstablish_Has7ExchangesAndTheTiming()
    {
        TestPaths.KubeLiveFiles(Path.Combine("wire", "crd-establish"), "*.http").Should().HaveCount(7);
        TestPaths.RequireFile(Path.Combine(TestPaths.KubeLive, "wire", "crd-establish", "timing.json"));
    }

    [Fact]
    public void MissingFolder_Throws_SoATheoryCannotPassOnZeroCases()
    {
        using var temp = new TempDirectory();

        var missing = () => TestPaths.NonEmptyTheoryData(Directory.GetDirectories(temp.Path), "an empty folder");

        missing.Should().Throw<InvalidOperationException>().WithMessage("*No test cases found in an empty folder*");
        var absent = () => TestPaths.RequireFile(Path.Combine(temp.Path, "dryrun.json"));
        absent.Should().Throw<FileNotFoundException>().WithMessage("*dryrun.json*");
    }
}
