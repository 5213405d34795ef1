using System.Text.Json;

namespace StreamAnalytics.Configuration;

/// <summary>
/// The cameras added through the API, kept in <c>&lt;Pipeline.StateDirectory&gt;/cameras.json</c> exactly as they were
/// posted, so they come back after a restart and are checked by the same rules again. Every save replaces the file
/// atomically (a new file flushed to disk, then renamed over the old one): a crash leaves the old list or the new
/// one, never a torn file.
/// </summary>
internal sealed class CameraStore(string stateDirectory)
{
    public const string FileName = "cameras.json";

    private const int FormatVersion = 1;

    public string FilePath { get; } = Path.Combine(Path.GetFullPath(stateDirectory), FileName);

    /// <summary>The stored cameras, oldest first; none when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a camera list this version wrote.</exception>
    public List<JsonElement> Load()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number
                || !root.TryGetProperty("cameras", out var cameras) || cameras.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"'{FilePath}' is not a camera list (expected {{\"version\": {FormatVersion}, \"cameras\": [...]}}).");
            }

            if (version.GetInt32() != FormatVersion)
            {
                throw new InvalidDataException($"'{FilePath}' has format version {version.GetInt32()}; this build reads version {FormatVersion}.");
            }

            return [.. cameras.EnumerateArray().Select(c => c.Clone())];
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{FilePath}' is not valid JSON: {ex.Message}", ex);
        }
    }

    public void Save(IEnumerable<JsonElement> cameras) => Storage.DurableFile.Write(FilePath, stream =>
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteNumber("version", FormatVersion);
        writer.WriteStartArray("cameras");
        foreach (var camera in cameras)
        {
            camera.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });
}
