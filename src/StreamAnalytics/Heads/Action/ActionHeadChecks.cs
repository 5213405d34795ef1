using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads.Action;

/// <summary>The start-up checks of <c>Model.ActionHead</c> that need only the manifests.</summary>
internal static class ActionHeadChecks
{
    /// <summary>
    /// Checks the pipeline against the action head <c>Model.ActionHead</c> names, from the manifests alone, so
    /// these problems are reported with every other one before any ONNX file is loaded: the head must take
    /// features of a per-frame backbone with the name <paramref name="backbone"/> has, and every camera's
    /// window must hold the frames the head was trained on (a live window is one view of that many frames).
    /// Whether the backbone has the outputs the recipe reads needs the loaded graph, so <c>ActionHead.Load</c>
    /// checks that afterwards.
    /// </summary>
    /// <param name="backbone">The loaded <c>Model.Manifest</c>; null when it could not be read (already reported).</param>
    public static List<string> Collect(StreamAnalyticsOptions options, ModelManifest head, ModelManifest? backbone)
    {
        var errors = new List<string>();
        var where = $"Model.ActionHead '{head.ManifestPath}'";
        if (head.Input is not { Layout: TensorLayout.Features, Features: { } features })
        {
            errors.Add($"{where} is not an action head: its input layout is '{head.Input.Layout.ToString().ToUpperInvariant()}', and an action head takes 'features' computed from a backbone's frame outputs.");
            return errors;
        }

        if (backbone is not null && backbone.Input.Layout != TensorLayout.Features)
        {
            if (backbone.Input.Layout != TensorLayout.Nchw)
            {
                errors.Add($"{where} reads per-frame backbone outputs, but Model.Manifest '{backbone.ManifestPath}' is a {backbone.Input.Layout.ToString().ToUpperInvariant()} model (use an NCHW per-frame encoder).");
            }

            if (!string.Equals(features.Backbone, backbone.Name, StringComparison.Ordinal))
            {
                errors.Add($"{where} was trained on backbone '{features.Backbone}' but Model.Manifest '{backbone.ManifestPath}' is '{backbone.Name}'.");
            }
        }

        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            var length = (camera.Window ?? options.Window).Length;
            if (length != head.Input.Frames)
            {
                var name = string.IsNullOrWhiteSpace(camera.Id) ? $"Cameras[{i}]" : $"Cameras[{i}] (camera '{camera.Id}')";
                var from = camera.Window is null ? "the pipeline's Window" : "the camera's Window";
                errors.Add($"{name}: Window.Length is {length} (from {from}) but action head '{head.Name}' ({where}) was trained on windows of {head.Input.Frames} frames.");
            }
        }

        return errors;
    }
}
