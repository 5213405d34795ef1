using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StreamAnalytics.Tests.Support;

public sealed class FreeTcpPortTests
{
    [Fact]
    public void Ports_lie_below_the_ephemeral_range_so_no_outgoing_connection_can_take_one()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 50).Select(_ => FreeTcpPort.Next()).ToList();

        Assert.All(ports, p => Assert.InRange(p, 1024, ephemeralStart - 1));
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public void A_port_held_by_a_listener_is_not_handed_out()
    {
        var held = new List<TcpListener>();
        try
        {
            // Hold the next few ports the counter would give, then ask: none of them may come back.
            var probe = FreeTcpPort.Next();
            for (var port = probe + 1; port <= probe + 5; port++)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                held.Add(listener);
            }

            var next = FreeTcpPort.Next();

            Assert.DoesNotContain(next, held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port));
        }
        finally
        {
            held.ForEach(l => l.Stop());
        }
    }
}
