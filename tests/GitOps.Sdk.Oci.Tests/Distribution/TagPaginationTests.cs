using System.Net;
using System.Text;
using GitOps.Sdk.Oci.Distribution;

namespace GitOps.Sdk.Oci.Tests.Distribution;

/// <summary>Tag-list paging by <c>Link: &lt;…?n=2&amp;last=…&gt;; rel="next"</c>, as distribution 3, Harbor and GHCR serve it.</summary>
public sealed class TagPaginationTests
{
    [Fact]
    public async Task ListTagsAsync_LinkHeaders_FollowsEveryPageWithNAndLast()
    {
        var registry = new PagingRegistry([.. Enumerable.Range(1, 7).Select(i => $"1.0.{i}")], pageSize: 2, nextHost: null);
        var client = new OciDistributionClient(new HttpClient(registry), new OciOptions { TagPageSize = 2 });

        var tags = await client.ListTagsAsync(new OciRepositoryReference("registry.test", "team/app"), null, CancellationToken.None);

        tags.Should().Equal(Enumerable.Range(1, 7).Select(i => $"1.0.{i}"));
        registry.Requests.Should().Equal(
            "/v2/team/app/tags/list?n=2",
            "/v2/team/app/tags/list?n=2&last=1.0.2",
            "/v2/team/app/tags/list?n=2&last=1.0.4",
            "/v2/team/app/tags/list?n=2&last=1.0.6");
    }

    [Fact]
    public async Task ListTagsAsync_LinkToAnotherHost_IsNotFollowed()
    {
        var registry = new PagingRegistry(["a", "b", "c"], pageSize: 2, nextHost: "https://evil.test");
        var client = new OciDistributionClient(new HttpClient(registry), new OciOptions { TagPageSize = 2 });

        var tags = await client.ListTagsAsync(new OciRepositoryReference("registry.test", "team/app"), null, CancellationToken.None);

        tags.Should().Equal("a", "b");
        registry.Requests.Should().ContainSingle();
    }

    private sealed class PagingRegistry(string[] tags, int pageSize, string? nextHost) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            Requests.Add(uri.PathAndQuery);
            var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
            var last = query["last"];
            var start = last is null ? 0 : Array.IndexOf(tags, last) + 1;
            var page = tags.Skip(start).Take(pageSize).ToArray();
            var response = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($"{{\"name\":\"team/app\",\"tags\":[{string.Join(',', page.Select(t => $"\"{t}\""))}]}}", Encoding.UTF8, "application/json"),
            };
            if (start + pageSize < tags.Length)
            {
                response.Headers.TryAddWithoutValidation("Link", $"<{nextHost}/v2/team/app/tags/list?n={pageSize}&last={page[^1]}>; rel=\"next\"");
            }

            return Task.FromResult(response);
        }
    }
}
