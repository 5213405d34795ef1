using System.Text.Json.Serialization;

namespace StreamAnalytics.Publishing;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(CameraStatusPayload))]
internal sealed partial class PublishingJsonContext : JsonSerializerContext;
