using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace StreamAnalytics.Configuration;

/// <summary>
/// One camera given as JSON (the body of <c>POST /api/v1/cameras</c>, an entry of the state's <c>cameras.json</c>):
/// the same object as one element of <c>Cameras</c> in the configuration file, read by the configuration's own
/// binder and strict schema, so a camera means the same wherever it is written.
/// </summary>
internal static class CameraJson
{
    private const string Root = "Camera";

    /// <param name="where">How problems name this camera, e.g. <c>Camera</c> or <c>cameras.json[2]</c>.</param>
    /// <returns>
    /// The camera, bound from every setting that converts (so the validator can still report on it), with the schema's
    /// problems added to <paramref name="problems"/>; null when the JSON is no object at all.
    /// </returns>
    public static CameraOptions? Read(JsonElement json, string where, ICollection<string> problems)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: must be a JSON object like one entry of Cameras in the configuration file (got {json.ValueKind.ToString().ToLowerInvariant()}).");
            return null;
        }

        IConfigurationRoot parsed;
        using (var stream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(json)))
        {
            try
            {
                parsed = new ConfigurationBuilder().AddJsonStream(stream).Build();
            }
            catch (FormatException ex)
            {
                problems.Add($"{where}: {ex.Message}");
                return null;
            }
        }

        // Under a root of its own, so the schema checker's paths read "Camera.Width" like the file's "Cameras[0].Width".
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(parsed.AsEnumerable().Where(kv => kv.Value is not null).Select(kv => KeyValuePair.Create($"{Root}:{kv.Key}", kv.Value)))
            .Build()
            .GetSection(Root);
        var found = ConfigurationSchemaChecker.Check(section, typeof(CameraOptions), out var unconvertible);
        foreach (var problem in found)
        {
            problems.Add(problem.StartsWith(Root, StringComparison.Ordinal) ? where + problem[Root.Length..] : $"{where}: {problem}");
        }

        var camera = new CameraOptions();
        try
        {
            ConfigurationSchemaChecker.Bindable(section, unconvertible).Bind(camera);
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"{where}: {ex.Message}");
            return null;
        }

        return camera;
    }
}
