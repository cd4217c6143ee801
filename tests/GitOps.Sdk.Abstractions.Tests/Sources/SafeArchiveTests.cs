using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Abstractions.Tests.Sources;

public sealed class SafeArchiveTests : IDisposable
{
    private readonly TempDirectory _temp = new("safe-archive");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ExtractTarGzAsync_ChartLayout_WritesFilesAndDirectories()
    {
        var archive = TarGz(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "web/"));
            AddFile(w, "web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n");
            AddFile(w, "./web/templates/deployment.yaml", "kind: Deployment\n");
            AddFile(w, "web//values.yaml", "replicas: 2\n");
        });

        var result = await SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        result.Files.Should().Be(3);
        result.Entries.Should().Be(4);
        File.ReadAllText(Path.Combine(Target, "web", "Chart.yaml")).Should().Contain("name: web");
        File.ReadAllText(Path.Combine(Target, "web", "templates", "deployment.yaml")).Should().Be("kind: Deployment\n");
        File.ReadAllText(Path.Combine(Target, "web", "values.yaml")).Should().Be("replicas: 2\n");
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("web/../../evil.txt")]
    [InlineData("web/templates/../../../../tmp/evil.txt")]
    [InlineData("/etc/evil.txt")]
    [InlineData("web\\..\\..\\evil.txt")]
    public async Task ExtractTarGzAsync_EntryEscapingTarget_IsRefusedNamingTheEntry(string name)
    {
        var archive = TarGz(w =>
        {
            AddFile(w, "web/Chart.yaml", "name: web\n");
            AddFile(w, name, "pwned");
        });

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain(name);
        File.Exists(Path.Combine(_temp.Path, "evil.txt")).Should().BeFalse();
        Directory.EnumerateFiles(_temp.Path, "evil.txt", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task ExtractTarGzAsync_SymlinkOutsideThenWriteThroughIt_IsRefusedAtTheLink()
    {
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        var archive = TarGz(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "web/escape") { LinkName = outside });
            AddFile(w, "web/escape/owned.txt", "pwned");
        });

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("web/escape").And.Contain("symbolic link");
        Directory.EnumerateFileSystemEntries(outside).Should().BeEmpty();
    }

    [Fact]
    public async Task ExtractTarGzAsync_SymlinkInsideTarget_IsRefusedToo()
    {
        var archive = TarGz(w =>
        {
            AddFile(w, "web/values.yaml", "a: 1\n");
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "web/values-link.yaml") { LinkName = "values.yaml" });
        });

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("web/values-link.yaml");
    }

    [Fact]
    public async Task ExtractTarGzAsync_HardLinkToHostFile_IsRefused()
    {
        var archive = TarGz(w => w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "web/passwd") { LinkName = "/etc/passwd" }));

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("web/passwd").And.Contain("hard link");
        File.Exists(Path.Combine(Target, "web", "passwd")).Should().BeFalse();
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    [InlineData(TarEntryType.Fifo)]
    public async Task ExtractTarGzAsync_DeviceOrFifo_IsRefused(TarEntryType type)
    {
        var archive = TarGz(w => w.WriteEntry(new PaxTarEntry(type, "web/dev-entry")));

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("web/dev-entry").And.Contain(type.ToString());
        File.Exists(Path.Combine(Target, "web", "dev-entry")).Should().BeFalse();
    }

    [Fact]
    public async Task ExtractTarGzAsync_TooManyEntries_IsRefused()
    {
        var archive = TarGz(w =>
        {
            for (var i = 0; i < 11; i++)
            {
                AddFile(w, $"f{i}.yaml", "x");
            }
        });

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default with { MaxEntries = 10 }, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("more than 10 entries").And.Contain("f10.yaml");
    }

    [Fact]
    public async Task ExtractTarGzAsync_GzipBomb_IsStoppedAtTheTotalLimit()
    {
        // 64 MiB of zeros compresses to ~64 KiB: the limit must stop it, not the disk.
        var archive = TarGz(w =>
        {
            AddFile(w, "a.bin", new ZeroStream(1024 * 1024));
            AddFile(w, "bomb.bin", new ZeroStream(64L * 1024 * 1024));
        });
        archive.Length.Should().BeLessThan(1024 * 1024);

        var limits = new ArchiveLimits { MaxTotalBytes = 4 * 1024 * 1024, MaxFileBytes = 128L * 1024 * 1024 };
        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, limits, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("bomb.bin");
        File.Exists(Path.Combine(Target, "bomb.bin")).Should().BeFalse();
    }

    [Fact]
    public async Task ExtractTarGzAsync_FileOverPerFileLimit_IsRefused()
    {
        var archive = TarGz(w => AddFile(w, "big.yaml", new ZeroStream(2048)));

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default with { MaxFileBytes = 1024 }, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("big.yaml").And.Contain("1024");
    }

    [Fact]
    public async Task ExtractTarGzAsync_NotGzip_IsRefusedAsIntegrity()
    {
        var archive = new MemoryStream(Encoding.UTF8.GetBytes("<html>not found</html>"));

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Integrity);
    }

    [Fact]
    public async Task ExtractTarGzAsync_TruncatedArchive_IsRefusedAsIntegrity()
    {
        var full = TarGz(w => AddFile(w, "web/values.yaml", new ZeroStream(200_000))).ToArray();
        var truncated = new MemoryStream(full.AsSpan(0, full.Length / 2).ToArray());

        var act = () => SafeArchive.ExtractTarGzAsync(truncated, Target, ArchiveLimits.Default, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Integrity);
    }

    [Fact]
    public async Task ExtractTarGzAsync_GnuLongNameEscaping_IsRefused()
    {
        var longName = string.Concat(Enumerable.Repeat("../", 60)) + "evil.txt";
        var archive = TarGz(w => w.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, longName) { DataStream = new MemoryStream([1]) }), TarEntryFormat.Gnu);

        var act = () => SafeArchive.ExtractTarGzAsync(archive, Target, ArchiveLimits.Default, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("..");
    }

    private string Target => _temp.Combine("target");

    private static void AddFile(TarWriter writer, string name, string content) =>
        AddFile(writer, name, new MemoryStream(Encoding.UTF8.GetBytes(content)));

    private static void AddFile(TarWriter writer, string name, Stream content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = content });

    private static MemoryStream TarGz(Action<TarWriter> write, TarEntryFormat format = TarEntryFormat.Pax)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, format, leaveOpen: true))
        {
            write(writer);
        }

        output.Position = 0;
        return output;
    }

    /// <summary>A seekable stream of zeros of a given length, so big entries cost no memory.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Position);
            Array.Clear(buffer, offset, n);
            Position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
