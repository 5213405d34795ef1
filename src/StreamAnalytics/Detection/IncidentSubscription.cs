using System.Threading.Channels;

namespace StreamAnalytics.Detection;

/// <summary>One live feed of incident messages (an SSE client); dispose it when the client goes.</summary>
internal sealed class IncidentSubscription(Channel<IncidentRecord> channel, Action<Channel<IncidentRecord>> unsubscribe) : IDisposable
{
    public ChannelReader<IncidentRecord> Reader => channel.Reader;

    public void Dispose() => unsubscribe(channel);
}
