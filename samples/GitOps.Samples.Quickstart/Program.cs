// The GitOps.Sdk quickstart: a complete host that keeps a Kubernetes API in the state a Git repository declares.
//
//   dotnet run --project samples/GitOps.Samples.Quickstart                      # embedded API emulator, plays "another actor"
//   dotnet run --project samples/GitOps.Samples.Quickstart -- --kubeconfig ~/.kube/config [--simulate-drift]
//
// What it shows, in order: first sync of a demo repository; drift made by someone else (a deleted Service, a scaled
// Deployment) noticed through the watch, attributed to the field manager that made it, and corrected; a new commit
// picked up on a webhook-style request.
using GitOps.Samples.Quickstart;
using GitOps.Sdk;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var options = QuickstartOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: quickstart [--kubeconfig <file>] [--simulate-drift] [--timeout <seconds>]");
    return 2;
}

using var timeout = new CancellationTokenSource(options.Timeout);
var cancellationToken = timeout.Token;
var console = new Narrator();

try
{
    // 1. The desired state lives in Git: a fresh local repository made from samples/demo-repo.
    using var repository = await DemoRepository.CreateAsync(Path.Combine(AppContext.BaseDirectory, "demo-repo"), cancellationToken);
    console.Step($"Created a Git repository from samples/demo-repo at {repository.Directory} (commit {repository.Head[..12]})");

    // 2. The live system: the embedded Kubernetes API emulator, unless a real cluster was named.
    KubeApiEmulator? emulator = null;
    var kubeconfig = options.Kubeconfig;
    if (kubeconfig is null)
    {
        emulator = await KubeApiEmulator.StartAsync(cancellationToken: cancellationToken);
        kubeconfig = emulator.KubeconfigPath;
        console.Step($"Started the embedded Kubernetes API emulator at {emulator.BaseAddress} (kubeconfig {kubeconfig})");
    }

    await using var emulatorLifetime = emulator;
    var simulateDrift = emulator is not null || options.SimulateDrift;

    // 3. The host: one application, a Git source, the Kubernetes target. This is all an embedding service writes.
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
    builder.Services
        .AddGitOps(o =>
        {
            o.DriftDebounce = TimeSpan.FromMilliseconds(200);
            o.Applications.Add(new ApplicationDefinition
            {
                Name = "demo",
                Source = new SourceReference { Type = SourceTypes.Git, Url = repository.Directory, Ref = "main" },
                Namespace = "demo",
                Interval = TimeSpan.FromMinutes(5),
                Prune = true,
            });
        })
        .AddGitSource()
        .AddKubernetesTarget(k => k.KubeconfigPath = kubeconfig);

    // The GitOps configuration section on top (here GitOps__… environment variables, such as
    // GitOps__Applications__demo__Interval=1m); docs/configuration.md lists every key.
    builder.Services.AddGitOps(builder.Configuration.GetSection("GitOps"));

    using var host = builder.Build();

    // Reading the controller reads and checks the whole GitOps configuration: every problem in one exception.
    var controller = host.Services.GetRequiredService<IGitOpsController>();
    var events = new EventLog(console);
    using var subscription = controller.Events.Subscribe(events);
    var cluster = new ClusterActor(kubeconfig);

    await host.StartAsync(cancellationToken);
    try
    {
        // First sync: everything in the repository is created.
        await events.WaitForAsync<ReconcileCompleted>(e => e.Outcome is ReconcileOutcome.Applied or ReconcileOutcome.Synced, cancellationToken);
        var status = controller.GetStatus("demo")!;
        console.Step($"First sync done at {status.LastAppliedRevision}: {status.Objects.Length} objects, health {status.Health?.Status}");
        foreach (var o in status.Objects)
        {
            console.Detail($"{o.Key}  sync={o.Sync} health={o.Health.Status}");
        }

        var corrected = 0;
        if (simulateDrift)
        {
            // 4. Another actor changes the live system behind our back.
            console.Step("Another actor deletes Service demo/web and scales Deployment demo/web to 5 replicas (as kubectl would)");
            var mark = events.Count;
            await cluster.DeleteServiceAsync("demo", "web", cancellationToken);
            await cluster.ScaleDeploymentAsync("demo", "web", 5, cancellationToken);

            // The watch sees both changes; the engine reconciles without waiting for its interval.
            await cluster.WaitUntilAsync(
                async ct => await cluster.ServiceExistsAsync("demo", "web", ct) && await cluster.GetReplicasAsync("demo", "web", ct) == 2,
                cancellationToken);
            await events.WaitForAsync<DriftDetected>(_ => true, cancellationToken, after: mark);
            var drift = events.After<DriftDetected>(mark).SelectMany(d => d.Objects).ToList();
            corrected = drift.Select(d => d.Key).Distinct().Count();
            console.Step($"Drift corrected: Service demo/web recreated, replicas back to 2 ({corrected} objects)");
            foreach (var d in drift)
            {
                // The SDK's one drift notation: "apps/Deployment/demo/web: spec.replicas: live 5 → desired 2 (live value by
                // kubectl-scale)", or "…: deleted" for a whole object that is missing (not its full manifest).
                console.Detail(d.Action == DiffAction.Create ? $"{d} outside Git, recreated from the repository" : d.ToString());
            }
        }

        // 5. A new commit: the change is applied on a webhook-style request.
        var revision = await repository.CommitAsync(
            "configmap.yaml",
            text => text.Replace("Hello from Git", "Hello from the second commit", StringComparison.Ordinal),
            "Change the greeting",
            cancellationToken);
        console.Step($"Committed a change to configmap.yaml ({revision[..12]}); requesting a reconcile as a push webhook would");
        controller.RequestReconcile("demo");
        await cluster.WaitUntilAsync(
            async ct => await cluster.GetConfigValueAsync("demo", "web-settings", "GREETING", ct) == "Hello from the second commit",
            cancellationToken);
        await cluster.WaitUntilAsync(
            _ => Task.FromResult(controller.GetStatus("demo")?.LastAppliedRevision?.Contains(revision, StringComparison.Ordinal) == true),
            cancellationToken);
        status = controller.GetStatus("demo")!;
        console.Step($"Change applied: ConfigMap demo/web-settings now says 'Hello from the second commit' ({status.LastAppliedRevision})");

        console.Line(string.Empty);
        console.Line(simulateDrift
            ? $"Summary: drift corrected ({corrected} objects), change applied ({status.LastAppliedRevision})"
            : $"Summary: in sync, change applied ({status.LastAppliedRevision})");
        return 0;
    }
    finally
    {
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(stopTimeout.Token);
    }
}
catch (GitOpsConfigurationException ex)
{
    // One block (a heading and a line per problem), no stack trace: configuration errors are the operator's to fix.
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (OperationCanceledException) when (timeout.IsCancellationRequested)
{
    Console.Error.WriteLine($"The quickstart did not finish within {options.Timeout.TotalSeconds:0} s.");
    return 1;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"The quickstart failed: {ex.Message}");
    return 1;
}
