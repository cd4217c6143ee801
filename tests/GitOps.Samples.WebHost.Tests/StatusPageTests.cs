using System.Collections.Immutable;
using GitOps.Sdk;
using GitOps.Sdk.AspNetCore;
using GitOps.Sdk.Status;

namespace GitOps.Samples.WebHost.Tests;

public sealed class StatusPageTests
{
    [Fact]
    public void Render_HostileNamesAndDriftValues_AreHtmlEncoded()
    {
        var status = new ApplicationStatus
        {
            Name = "<script>alert(1)</script>",
            LastAppliedRevision = "main@sha1:abc",
            LastDrift = new DriftReport
            {
                DetectedAt = DateTimeOffset.UnixEpoch,
                Corrected = true,
                Objects =
                [
                    new ObjectDrift(
                        new ResourceKey("", "ConfigMap", "demo", "x"),
                        DiffAction.Update,
                        [new FieldChange("/data/a", FieldChangeKind.Changed, "\"<b>git</b>\"", "\"<img src=x onerror=alert(2)>\"")]),
                ],
            },
        };

        var detail = ApplicationDetail.From(status);
        var list = ConsolePages.RenderList([detail.Summary]);
        var html = ConsolePages.RenderApplication(detail, null);

        list.Should().NotContain("<script>alert").And.Contain("&lt;script&gt;alert(1)&lt;/script&gt;");

        html.Should().NotContain("<script>alert").And.NotContain("<img").And.NotContain("<b>git");
        html.Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt;").And.Contain("&lt;img src=x onerror=alert(2)&gt;");
        html.Should().Contain("— corrected");
    }

    [Fact]
    public void Verify_SignatureOfOtherBodyOrSecret_IsRefused()
    {
        var body = "{\"repository\":{\"clone_url\":\"https://git.example.com/a.git\"}}"u8.ToArray();
        var good = PushWebhook.Sign("s3cret", body);

        PushWebhook.Verify("s3cret", body, good).Should().BeTrue();
        PushWebhook.Verify("s3cret", body, good.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal)).Should().BeTrue();
        PushWebhook.Verify("other", body, good).Should().BeFalse();
        PushWebhook.Verify("s3cret", [.. body, (byte)' '], good).Should().BeFalse();
        PushWebhook.Verify(null, body, good).Should().BeFalse();
        PushWebhook.Verify("s3cret", body, good[..^2]).Should().BeFalse();
        PushWebhook.RepositoryUrls(body).Should().Equal("https://git.example.com/a.git");
    }
}
