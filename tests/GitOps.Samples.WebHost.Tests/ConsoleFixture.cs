namespace GitOps.Samples.WebHost.Tests;

/// <summary>A second web host whose destructive steps (prunes) wait for approval in the console.</summary>
public sealed class ConsoleFixture : WebHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Approvals:Policy", "Destructive")];
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "web console";
}
