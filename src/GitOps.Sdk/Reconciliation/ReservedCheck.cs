namespace GitOps.Sdk.Reconciliation;

/// <summary>Finds desired objects that are the engine's own (<see cref="IReservedObjects"/>): a revision declaring one is refused whole.</summary>
internal static class ReservedCheck
{
    public static string Violations(DesiredState desired, IReservedObjects reserved)
    {
        var found = new List<string>();
        foreach (var o in desired.Objects)
        {
            if (reserved.WhyReserved(o.Key) is { } why)
            {
                found.Add($"{(o.Origin is { } origin ? $"file {origin.File} document {origin.DocumentIndex}{(origin.Line > 0 ? $" (line {origin.Line})" : string.Empty)}" : "(file unknown)")}: {o.Key} is reserved: {why}");
            }
        }

        return string.Join("; ", found);
    }
}
