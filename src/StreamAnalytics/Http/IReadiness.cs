namespace StreamAnalytics.Http;

/// <summary>Whether the service can do its job now (model loaded, cameras started, events get out); the host implements it.</summary>
internal interface IReadiness
{
    ReadinessReport Check();
}
