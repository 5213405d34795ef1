namespace StreamAnalytics.Ingest;

/// <summary>A camera's source could not be opened or read; the message is already free of credentials.</summary>
internal sealed class VideoSourceException(string message) : Exception(message);
