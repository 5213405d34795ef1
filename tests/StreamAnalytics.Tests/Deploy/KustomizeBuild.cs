using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>Renders a kustomization with <c>kubectl kustomize</c> (offline) and reads each object it prints.</summary>
internal static class KustomizeBuild
{
    public static async Task<List<JsonObject>> RenderAsync(string folder)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(folder);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // stderr may carry deprecation warnings from a newer kustomize (see overlays/example): only the exit code fails.
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {folder} exited with {process.ExitCode}: {await stderr}");
        return Parse(await stdout);
    }

    /// <summary>Every YAML document as JSON; scalars stay strings, as YAML gives them without a schema.</summary>
    public static List<JsonObject> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var json = new SerializerBuilder().JsonCompatible().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (deserializer.Deserialize(parser) is { } document)
            {
                objects.Add(JsonNode.Parse(json.Serialize(document))!.AsObject());
            }
        }

        return objects;
    }
}
