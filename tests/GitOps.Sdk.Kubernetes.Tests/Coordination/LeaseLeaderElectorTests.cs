using GitOps.Sdk.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

public class LeaseLeaderElectorTests
{
    [Fact]
    public async Task TryAcquireOrRenewAsync_TwoReplicas_OneLeaderUntilReleaseOrExpiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var t = await KubeTarget.StartAsync();
        var lease = new Func<string, LeaseLeaderElector>(id => new LeaseLeaderElector(
            t.Client, new LeaseLeaderElectorOptions { Identity = id, LeaseDuration = TimeSpan.FromSeconds(15) }, t.Options, time));
        var a = lease("replica-a");
        var b = lease("replica-b");

        (await a.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeTrue("the lease did not exist");
        (await b.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeFalse("replica-a holds it");
        time.Advance(TimeSpan.FromSeconds(10));
        (await a.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeTrue("the holder renews");
        time.Advance(TimeSpan.FromSeconds(10));
        (await b.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeFalse("the renewal keeps it valid");
        time.Advance(TimeSpan.FromSeconds(6));
        a.IsLeader.Should().BeFalse("replica-a did not renew within the lease duration");
        (await b.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeTrue("the lease expired");
        b.IsLeader.Should().BeTrue();
        await b.ReleaseAsync(CancellationToken.None);
        (await a.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeTrue("replica-b released it");
    }
}
