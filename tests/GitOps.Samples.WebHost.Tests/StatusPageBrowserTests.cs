using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace GitOps.Samples.WebHost.Tests;

/// <summary>The status page in a real headless Chromium (Debian's chromium and chromedriver; nothing is downloaded).</summary>
[Collection(WebHostCollection.Name)]
public sealed class StatusPageBrowserTests(WebHostFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    [Fact]
    public void StatusPage_InHeadlessChromium_ShowsApplicationRowWithBadges()
    {
        File.Exists(Chromium).Should().BeTrue("eng/install-test-deps.sh installs Debian's chromium");
        File.Exists(ChromeDriver).Should().BeTrue("eng/install-test-deps.sh installs Debian's chromium-driver");
        var profile = Directory.CreateTempSubdirectory("gitops-chromium-");
        try
        {
            // Both paths given explicitly: Selenium Manager is never asked to find or download anything.
            using var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
            service.HideCommandPromptWindow = true;
            var options = new ChromeOptions { BinaryLocation = Chromium };
            options.AddArguments(
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={profile.FullName}");
            using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));

            driver.Navigate().GoToUrl(fixture.BaseAddress);

            driver.Title.Should().Be("GitOps status");
            var rows = driver.FindElements(By.CssSelector("#applications tbody tr.app"));
            rows.Should().ContainSingle();
            rows[0].GetAttribute("data-app").Should().Be("demo");
            rows[0].FindElement(By.CssSelector("td.name a")).Text.Should().Be("demo");
            rows[0].FindElement(By.CssSelector(".badge.sync")).Text.Should().BeOneOf("Synced", "OutOfSync");
            rows[0].FindElement(By.CssSelector(".badge.health")).Text.Should().BeOneOf("Healthy", "Progressing");
            rows[0].FindElement(By.CssSelector("td.drift")).Text.Should().NotBeEmpty();
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
