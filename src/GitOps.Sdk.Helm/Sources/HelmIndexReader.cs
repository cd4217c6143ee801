using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Sdk.Helm.Sources;

/// <summary>One version of a chart as listed in <c>index.yaml</c>.</summary>
internal sealed record ChartIndexEntry(string Version, IReadOnlyList<string> Urls, string? Digest, string? AppVersion, string? Created, bool Deprecated);

/// <summary>
/// Reads the entries of one chart from a Helm <c>index.yaml</c> with YamlDotNet's event parser: the rest of the index is
/// skipped event by event, so a large index never turns into an object graph, and aliases are never expanded.
/// </summary>
internal static class HelmIndexReader
{
    public static List<ChartIndexEntry>? ReadChart(TextReader reader, string chart)
    {
        var parser = new Parser(reader);
        parser.Consume<StreamStart>();
        if (parser.TryConsume<StreamEnd>(out _))
        {
            throw new YamlException("the index is empty");
        }

        parser.Consume<DocumentStart>();
        parser.Consume<MappingStart>();
        List<ChartIndexEntry>? result = null;
        var sawEntries = false;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>().Value;
            if (key != "entries")
            {
                parser.SkipThisAndNestedEvents();
                continue;
            }

            sawEntries = true;
            if (parser.TryConsume<Scalar>(out _))
            {
                continue; // "entries: {}" written as null
            }

            parser.Consume<MappingStart>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var name = parser.Consume<Scalar>().Value;
                if (name != chart)
                {
                    parser.SkipThisAndNestedEvents();
                    continue;
                }

                result = ReadVersions(parser);
            }
        }

        if (!sawEntries)
        {
            throw new YamlException("the index has no 'entries'");
        }

        return result;
    }

    private static List<ChartIndexEntry> ReadVersions(IParser parser)
    {
        var list = new List<ChartIndexEntry>();
        if (parser.TryConsume<Scalar>(out _))
        {
            return list;
        }

        parser.Consume<SequenceStart>();
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            parser.Consume<MappingStart>();
            string? version = null, digest = null, appVersion = null, created = null;
            var deprecated = false;
            var urls = new List<string>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                switch (key)
                {
                    case "version":
                        version = parser.Consume<Scalar>().Value;
                        break;
                    case "digest":
                        digest = parser.Consume<Scalar>().Value;
                        break;
                    case "appVersion":
                        appVersion = parser.Consume<Scalar>().Value;
                        break;
                    case "created":
                        created = parser.Consume<Scalar>().Value;
                        break;
                    case "deprecated":
                        deprecated = parser.Consume<Scalar>().Value == "true";
                        break;
                    case "urls":
                        if (parser.TryConsume<SequenceStart>(out _))
                        {
                            while (!parser.TryConsume<SequenceEnd>(out _))
                            {
                                urls.Add(parser.Consume<Scalar>().Value);
                            }
                        }
                        else
                        {
                            parser.SkipThisAndNestedEvents();
                        }

                        break;
                    default:
                        parser.SkipThisAndNestedEvents();
                        break;
                }
            }

            if (!string.IsNullOrEmpty(version))
            {
                list.Add(new ChartIndexEntry(version, urls, string.IsNullOrEmpty(digest) ? null : digest, appVersion, created, deprecated));
            }
        }

        return list;
    }
}
