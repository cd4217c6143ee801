using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

/// <summary>Log messages of the safety rules (ownership, deletion guards, reserved objects).</summary>
internal static partial class Log
{
    [LoggerMessage(40, LogLevel.Warning, "Application {Application} refused {Key} ({Rule}; held by {Owner}; option {Option}): {Reason}")]
    public static partial void ObjectRefused(ILogger logger, string application, string key, string rule, string owner, string option, string reason);

    [LoggerMessage(41, LogLevel.Information, "Application {Application} adopted {Key} from {Owner}")]
    public static partial void ObjectAdopted(ILogger logger, string application, string key, string owner);

    [LoggerMessage(43, LogLevel.Warning, "Application {Application} ({Owner}) takes over the inventory written by {OtherOwner} and its {Count} object(s) (AllowTakeover)")]
    public static partial void InventoryTakenOver(ILogger logger, string application, string owner, string otherOwner, int count);

    [LoggerMessage(44, LogLevel.Information, "Application {Application} ({Owner}) starts a new inventory: the stored one was written by {OtherOwner}, and none of its {Count} object(s) is live")]
    public static partial void InventoryAbandoned(ILogger logger, string application, string owner, string otherOwner, int count);
}
