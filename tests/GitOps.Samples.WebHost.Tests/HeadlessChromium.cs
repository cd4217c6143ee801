using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace GitOps.Samples.WebHost.Tests;

/// <summary>A real headless Chromium driven by Selenium (Debian's chromium and chromedriver; nothing is downloaded).</summary>
public sealed class HeadlessChromium : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriverPath = "/usr/bin/chromedriver";
    private readonly DirectoryInfo _profile;
    private readonly ChromeDriverService _service;

    public HeadlessChromium()
    {
        File.Exists(Chromium).Should().BeTrue("eng/install-test-deps.sh installs Debian's chromium");
        File.Exists(ChromeDriverPath).Should().BeTrue("eng/install-test-deps.sh installs Debian's chromium-driver");
        _profile = Directory.CreateTempSubdirectory("gitops-chromium-");

        // Both paths given explicitly: Selenium Manager is never asked to find or download anything.
        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        _service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={_profile.FullName}");
        Driver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
    }

    public ChromeDriver Driver { get; }

    /// <summary>Waits until <paramref name="condition"/> holds on the page (it may reload meanwhile); fails after 30 s.</summary>
    public T WaitFor<T>(Func<IWebDriver, T> condition, string what)
    {
        var wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(30)) { Message = $"timed out waiting for {what}" };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        _service.Dispose();
        _profile.Delete(recursive: true);
    }
}
