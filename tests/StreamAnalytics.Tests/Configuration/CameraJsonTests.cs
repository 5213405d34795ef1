using System.Text.Json;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Configuration;

public sealed class CameraJsonTests
{
    [Fact]
    public void A_camera_entry_binds_like_the_configuration_file()
    {
        var problems = new List<string>();

        var camera = CameraJson.Read(Parse("""{"Id": "gate", "Url": "rtsp://cam/1", "Width": 640, "Loop": false, "Masks": [{"Points": [[0,0],[1,0],[1,1]]}]}"""), "Camera", problems);

        Assert.Empty(problems);
        Assert.NotNull(camera);
        Assert.Equal(("gate", "rtsp://cam/1", 640, false), (camera.Id, camera.Url, camera.Width, camera.Loop));
        Assert.Equal(3, Assert.Single(camera.Masks).Points.Count);
    }

    [Fact]
    public void Unknown_keys_and_values_that_do_not_convert_are_all_reported_and_the_rest_still_binds()
    {
        var problems = new List<string>();

        var camera = CameraJson.Read(Parse("""{"Id": "gate", "Widht": 640, "Height": "tall", "QueueCapacity": 4}"""), "Camera", problems);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Camera.Widht: unknown setting 'Widht'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Camera.Height: 'tall'", StringComparison.Ordinal));
        Assert.Equal(("gate", 4), (camera!.Id, camera.QueueCapacity));
    }

    [Fact]
    public void Anything_but_an_object_is_refused()
    {
        var problems = new List<string>();

        Assert.Null(CameraJson.Read(Parse("[1, 2]"), "Camera", problems));

        Assert.Equal(["Camera: must be a JSON object like one entry of Cameras in the configuration file (got array)."], problems);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
