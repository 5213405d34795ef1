using System.Text.Json.Serialization;

namespace StreamAnalytics.Inference;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ModelManifestDocument))]
internal sealed partial class ModelManifestJsonContext : JsonSerializerContext;
