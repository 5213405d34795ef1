namespace StreamAnalytics.Storage;

/// <summary>
/// Replaces a file so that a crash or a power cut leaves the old contents or the new, never a torn or empty file:
/// written aside, flushed to disk, then renamed over the old one.
/// </summary>
internal static class DurableFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            write(stream);

            // On disk before the rename makes it the file: a power cut must not leave a renamed but empty one.
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
    }
}
