using System.Text.Json;
using StreamAnalytics.Configuration;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Configuration;

public sealed class CameraStoreTests
{
    [Fact]
    public void Cameras_are_kept_as_posted_and_read_back_in_order()
    {
        using var folder = new TempDirectory();
        var store = new CameraStore(Path.Combine(folder.Path, "state"));
        Assert.Empty(store.Load());

        store.Save([Parse("""{"Id": "a", "Url": "/a.mp4"}"""), Parse("""{"Id": "b", "Url": "rtsp://b/1", "Width": 640}""")]);

        var loaded = store.Load();
        Assert.Equal(["a", "b"], loaded.Select(c => c.GetProperty("Id").GetString()));
        Assert.Equal(640, loaded[1].GetProperty("Width").GetInt32());
        Assert.False(File.Exists(store.FilePath + ".tmp"), "the temporary file was left behind");
    }

    [Fact]
    public void A_file_of_another_format_or_not_json_is_refused_with_its_path()
    {
        using var folder = new TempDirectory();
        var store = new CameraStore(folder.Path);

        File.WriteAllText(store.FilePath, """{"version": 9, "cameras": []}""");
        Assert.Contains("format version 9", Assert.Throws<InvalidDataException>(() => store.Load()).Message, StringComparison.Ordinal);

        File.WriteAllText(store.FilePath, """{"version": 1, "cameras": [""");
        var error = Assert.Throws<InvalidDataException>(() => store.Load());
        Assert.Contains(store.FilePath, error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
