// The GitOps.Sdk web host: an ASP.NET Core service that embeds the engine and exposes it over HTTP.
//
//   dotnet run --project samples/GitOps.Samples.WebHost       # the embedded API emulator and the demo repository
//   dotnet run --project samples/GitOps.Samples.WebHost -- --GitOps:Target:Kubeconfig ~/.kube/config \
//       --GitOps:Applications:demo:Source https://git.example.com/demo/deploy.git
//
// Applications come from appsettings.json (GitOps:Applications:<name>; every key in docs/configuration.md); see
// GitOpsWebHost for the endpoints. Configuration problems print as one block and exit with 2, without a stack trace.
using GitOps.Samples.WebHost;
using GitOps.Sdk;

try
{
    await using var app = await GitOpsWebHost.BuildAsync(args);
    await app.RunAsync();
    return 0;
}
catch (GitOpsConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
