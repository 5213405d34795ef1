using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StreamAnalytics.Testing;

/// <summary>
/// Hands out loopback ports for test servers that bind later. The ports come from below the kernel's ephemeral range
/// (ip_local_port_range, 32768 by default) because a port that was free a moment ago and lies inside that range can
/// be taken by any outgoing connection or port-0 listener before the server binds it; CI once lost a run to exactly
/// that ("address already in use" on 44961). A process-wide counter keeps two tests in one run from being given the
/// same port.
/// </summary>
public static class FreeTcpPort
{
    private const int RangeSize = 12_000;
    private static readonly int RangeStart = EphemeralRangeStart() - RangeSize;
    private static int _next = Random.Shared.Next(RangeSize);

    /// <summary>A loopback TCP port, outside the ephemeral range, that could be listened on when this returned.</summary>
    public static int Next()
    {
        for (var tried = 0; tried < RangeSize; tried++)
        {
            var port = RangeStart + (int)((uint)Interlocked.Increment(ref _next) % RangeSize);
            if (CanListen(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"No free loopback port in {RangeStart}-{RangeStart + RangeSize - 1}."));
    }

    private static int EphemeralRangeStart()
    {
        const string rangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(rangeFile)
            && int.TryParse(File.ReadAllText(rangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
            && start > RangeSize + 1024)
        {
            return start;
        }

        // Linux's default; Windows and macOS start theirs at 49152, above it.
        return 32768;
    }

    /// <summary>
    /// Completes as soon as <paramref name="port"/> can be listened on again on loopback (a server that was just
    /// stopped may hold it for a moment), checking every 100 ms; throws <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/>.
    /// </summary>
    public static async Task WaitUntilFreeAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!CanListen(port))
        {
            try
            {
                await timer.WaitForNextTickAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Port {port} was still in use after {timeout.TotalSeconds:0} s."));
            }
        }
    }

    private static bool CanListen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
