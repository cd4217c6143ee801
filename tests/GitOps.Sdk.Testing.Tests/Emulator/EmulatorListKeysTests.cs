using GitOps.Sdk.Testing.Emulator;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// The emulator's list merge keys against the recorded corpus: every list a real server's managedFields key by
/// <c>k:{...}</c> must be a map list with the same keys in the emulator's schema (the engine's schema is checked against
/// the same facts in GitOps.Sdk.Tests, so both sides answer to the recordings, not to each other).
/// </summary>
public sealed class EmulatorListKeysTests
{
    [Fact]
    public void ListKeysMatchTheRecordedManagedFields()
    {
        var recorded = RecordedListKeys.FromCorpus();
        recorded.Should().HaveCountGreaterThan(10, "the corpus holds containers, ports, env, volumes, conditions and more");
        var mismatches = new List<string>();
        foreach (var list in recorded)
        {
            var node = BuiltinSchemas.Find(list.Group, list.Kind) ?? SchemaNode.Struct(("metadata", BuiltinSchemas.ObjectMeta));
            foreach (var step in list.Path.Split('.'))
            {
                node = step == "[]" ? node.ItemSchema : node.Child(step).Node;
            }

            if (node.Kind != SchemaKind.List || node.ListType != ListType.Map || !node.Keys.Order(StringComparer.Ordinal).SequenceEqual(list.Keys))
            {
                mismatches.Add($"{list}: emulator has {node.Kind}/{node.ListType} [{string.Join(",", node.Keys)}]");
            }
        }

        mismatches.Should().BeEmpty();
    }
}

/// <summary>The emulator must not lean on the engine it checks: no type of the GitOps.Sdk engine assembly is referenced from its code.</summary>
public sealed class OracleIndependenceTests
{
    [Fact]
    public void EmulatorAssembly_ReferencesNoTypeOfTheEngineAssembly()
    {
        var path = typeof(KubeApiEmulator).Assembly.Location;
        using var stream = File.OpenRead(path);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var engineTypes = new List<string>();
        foreach (var handle in metadata.TypeReferences)
        {
            var reference = metadata.GetTypeReference(handle);
            if (reference.ResolutionScope.Kind == System.Reflection.Metadata.HandleKind.AssemblyReference)
            {
                var assembly = metadata.GetAssemblyReference((System.Reflection.Metadata.AssemblyReferenceHandle)reference.ResolutionScope);
                if (metadata.GetString(assembly.Name) == "GitOps.Sdk")
                {
                    engineTypes.Add(metadata.GetString(reference.Namespace) + "." + metadata.GetString(reference.Name));
                }
            }
        }

        engineTypes.Should().BeEmpty("the emulator is an independent oracle: it must not use the engine's diff/merge code");
    }
}
