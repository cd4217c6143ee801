// The GitOps.Sdk web host: an ASP.NET Core service that embeds the engine and exposes it over HTTP.
//
//   dotnet run --project samples/GitOps.Samples.WebHost       # the embedded API emulator and the demo repository
//   dotnet run --project samples/GitOps.Samples.WebHost -- --Kubernetes:Kubeconfig ~/.kube/config \
//       --GitOps:Applications:demo:Source https://git.example.com/demo/deploy.git
//
// Applications come from appsettings.json (GitOps:Applications:<name>); see GitOpsWebHost for the endpoints.
using GitOps.Samples.WebHost;

await using var app = await GitOpsWebHost.BuildAsync(args);
await app.RunAsync();
