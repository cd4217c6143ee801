using OpenQA.Selenium;

namespace GitOps.Samples.WebHost.Tests;

/// <summary>
/// The web console in a real headless Chromium against the web host, the emulator over HTTP and a real Git repository:
/// what the pages show (DOM assertions, no screenshots) and what their buttons do.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleBrowserTests(ConsoleFixture fixture)
{
    [Fact]
    public void ListThenApplicationPage_ShowsSyncHealthRevisionObjectsByKindHistoryAndDiffAsWords()
    {
        using var browser = new HeadlessChromium();
        var driver = browser.Driver;
        var revision = fixture.Controller.GetStatus("demo")!.LastAppliedRevision!;

        driver.Navigate().GoToUrl(fixture.BaseAddress);

        driver.Title.Should().Be("GitOps status");
        var row = driver.FindElements(By.CssSelector("#applications tbody tr.app")).Should().ContainSingle().Subject;
        row.GetAttribute("data-app").Should().Be("demo");
        row.FindElement(By.CssSelector(".badge.sync")).Text.Should().Be("Synced");
        row.FindElement(By.CssSelector(".badge.health")).Text.Should().BeOneOf("Healthy", "Progressing");
        row.FindElement(By.CssSelector("td.revision")).Text.Should().Be(revision);
        row.FindElement(By.CssSelector("td.drift")).Text.Should().NotBeEmpty();

        row.FindElement(By.CssSelector("td.name a")).Click();

        browser.WaitFor(d => d.FindElement(By.Id("app-name")).Text == "demo", "the application page");
        driver.FindElement(By.Id("revision")).Text.Should().Be(revision);
        driver.FindElements(By.CssSelector("#objects section.kind")).Select(k => k.GetAttribute("data-kind"))
            .Should().BeEquivalentTo(["ConfigMap", "Deployment", "Namespace", "Service"]);
        var deployment = driver.FindElement(By.CssSelector("#objects section.kind[data-kind='Deployment'] tr.object"));
        deployment.GetAttribute("data-key").Should().Be("apps/Deployment/demo/web");
        deployment.FindElement(By.CssSelector(".badge.sync")).Text.Should().Be("Synced");
        deployment.FindElement(By.CssSelector(".badge.health")).Text.Should().MatchRegex("^(Healthy|Progressing)$");
        driver.FindElement(By.CssSelector("#conditions tr.condition[data-type='Ready'] td.status")).Text.Should().Be("True");
        var first = driver.FindElements(By.CssSelector("#history tr.run")).Should().NotBeEmpty().And.Subject.Last();
        first.FindElement(By.CssSelector("td.trigger")).Text.Should().Be("Startup");
        first.FindElement(By.CssSelector("td.outcome")).Text.Should().Be("Applied");
        driver.FindElement(By.CssSelector("#diff .diff-summary")).Text.Should().Contain("in sync").And.Contain("4 unchanged");
        driver.FindElements(By.CssSelector("#actions button")).Select(b => b.Text).Should().Equal("Sync", "Refresh", "Suspend");
        driver.FindElements(By.Id("held-plan")).Should().BeEmpty();
    }

    [Fact]
    public async Task SuspendScaleRefreshResume_ShowsTheScaledDeploymentAsAColouredUnifiedDiff_ThenCorrected()
    {
        using var browser = new HeadlessChromium();
        var driver = browser.Driver;
        driver.Navigate().GoToUrl(new Uri(fixture.BaseAddress, "apps/demo"));

        driver.FindElement(By.CssSelector("#actions button[data-action='suspend']")).Click();
        browser.WaitFor(d => d.FindElement(By.CssSelector("#actions button[data-action='resume']")).Displayed, "the page to show Resume");
        fixture.Controller.GetStatus("demo")!.Suspended.Should().BeTrue();
        driver.FindElement(By.CssSelector("#summary .badge.sync")).Text.Should().Be("Suspended");
        try
        {
            await fixture.Emulator.MutateAsync("apps/v1", "Deployment", "demo", "web", o => o["spec"]!["replicas"] = 7, "kubectl-scale");

            driver.FindElement(By.CssSelector("#actions button[data-action='refresh']")).Click();

            var diff = browser.WaitFor(d => d.FindElement(By.CssSelector("#diff .object-diff[data-key='apps/Deployment/demo/web']")), "the Deployment's diff");
            diff.FindElement(By.CssSelector(".action")).Text.Should().Be("Update");
            diff.FindElements(By.CssSelector("pre.unified span.del")).Select(s => s.Text).Should().Contain(l => l.Contains("replicas: 7"));
            diff.FindElements(By.CssSelector("pre.unified span.add")).Select(s => s.Text).Should().Contain(l => l.Contains("replicas: 2"));
            diff.FindElement(By.CssSelector("pre.unified span.add")).GetCssValue("background-color").Should().NotBe("rgba(0, 0, 0, 0)", "added lines are coloured");
            driver.FindElement(By.CssSelector("#diff .diff-summary")).Text.Should().Contain("1 object(s) differ");
        }
        finally
        {
            var resume = driver.FindElements(By.CssSelector("#actions button[data-action='resume']"));
            if (resume.Count == 1)
            {
                resume[0].Click();
            }
        }

        browser.WaitFor(d => d.FindElement(By.CssSelector("#actions button[data-action='suspend']")).Displayed, "the page to show Suspend again");
        await WebHostFixture.WaitUntilAsync(
            () => fixture.Emulator.Get("apps/v1", "Deployment", "demo", "web")?["spec"]?["replicas"]?.GetValue<long>() == 2,
            "the resumed engine to correct the scale");
        fixture.Controller.GetStatus("demo")!.Suspended.Should().BeFalse();
    }

    [Fact]
    public async Task HeldPrune_ShownWithApproveButton_ClickingApproveDeletesTheServiceAndClearsTheHold()
    {
        using var browser = new HeadlessChromium();
        var driver = browser.Driver;
        File.Delete(Path.Combine(fixture.Repository, "service.yaml"));
        var sha = await fixture.CommitAllAsync("Remove the service");
        driver.Navigate().GoToUrl(new Uri(fixture.BaseAddress, "apps/demo"));

        driver.FindElement(By.CssSelector("#actions button[data-action='reconcile']")).Click();

        var held = browser.WaitFor(d => d.FindElement(By.Id("held-plan")), "the held plan after Sync");
        var plan = fixture.Controller.GetStatus("demo")!.HeldPlan!;
        held.GetAttribute("data-plan").Should().Be(plan.Hash);
        held.FindElement(By.CssSelector("code.hash")).Text.Should().Be(plan.Hash);
        held.Text.Should().Contain(sha);
        var step = held.FindElements(By.CssSelector("li.held-step")).Should().ContainSingle().Subject;
        step.GetAttribute("data-key").Should().Be("/Service/demo/web");
        step.FindElement(By.CssSelector(".action")).Text.Should().Be("Delete");
        fixture.Emulator.Get("v1", "Service", "demo", "web").Should().NotBeNull("the prune waits for approval");

        held.FindElement(By.CssSelector("button[data-action='approve']")).Click();

        browser.WaitFor(d => d.FindElement(By.Id("message")).Text == "Approve: done", "the approval to be accepted");
        await WebHostFixture.WaitUntilAsync(() => fixture.Emulator.Get("v1", "Service", "demo", "web") is null, "the approved prune");
        browser.WaitFor(d => d.FindElements(By.Id("held-plan")).Count == 0 && d.FindElement(By.Id("app-name")).Displayed, "the page to reload without a held plan");
        var last = driver.FindElements(By.CssSelector("#history tr.run")).First();
        last.FindElement(By.CssSelector("td.trigger")).Text.Should().Be("Approval");
        last.FindElement(By.CssSelector("td.outcome")).Text.Should().Be("Applied");
        driver.FindElements(By.CssSelector("#objects section.kind")).Select(k => k.GetAttribute("data-kind")).Should().NotContain("Service");

        // Put the Service back for the other tests of this host (creates are not held).
        await fixture.GitAsync("revert", "--no-edit", "HEAD");
        fixture.Controller.RequestReconcile("demo").Should().BeTrue();
        await WebHostFixture.WaitUntilAsync(() => fixture.Emulator.Get("v1", "Service", "demo", "web") is not null, "the Service to be created again");
        await WebHostFixture.WaitUntilAsync(() => fixture.Controller.GetStatus("demo")!.Sync == GitOps.Sdk.Status.ApplicationSyncStatus.Synced, "the application to be synced again");
    }
}
