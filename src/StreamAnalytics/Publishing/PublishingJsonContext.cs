using System.Text.Json.Serialization;

namespace StreamAnalytics.Publishing;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventPayload))]
internal sealed partial class PublishingJsonContext : JsonSerializerContext;
