using GitOps.Sdk.TestUtilities;
using Newtonsoft.Json.Linq;

namespace GitOps.Sdk.Benchmarks.Diff;

/// <summary>Loads corpus pairs for the diff benchmarks, as KubeObjects for our engine and as JTokens for the baseline.</summary>
internal static class DiffCorpus
{
    public static (KubeObject Desired, KubeObject Live) Pair(string caseName)
    {
        var dir = Path.Combine(TestPaths.KubeLive, "cases", caseName);
        var desired = BenchYaml.Load(File.ReadAllText(Path.Combine(dir, "desired.yaml")));
        var live = KubeObject.Parse(File.ReadAllText(Path.Combine(dir, "live.json")));
        return (desired, live);
    }

    public static JToken Token(KubeObject obj) => JToken.Parse(obj.ToJsonString());

    /// <summary>Returns the live object with one container's image changed, as <c>kubectl set image</c> would.</summary>
    public static KubeObject WithImage(KubeObject live, string image) =>
        live.With(o => o["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = image);
}
