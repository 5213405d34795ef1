using System.Reflection;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace StreamAnalytics.Publishing;

/// <summary>
/// Gives a client that connects with an empty client id and a clean session an id of its own, as MQTT 3.1.1
/// allows [MQTT-3.1.3-6] and as <c>mosquitto_sub</c>, Home Assistant and many scripts expect. MQTTnet.Server
/// assigns one only for MQTT 5 (<see cref="ValidatingConnectionEventArgs.AssignedClientIdentifier"/>) and
/// refuses 3.1.1 clients with "identifier rejected"; for those the id is written into the CONNECT packet that
/// the event wraps, before the server checks it.
/// </summary>
internal static class ClientIdAssignment
{
    // MQTTnet keeps the packet private; an upgrade that renames the field makes TryAssign return false, which is
    // logged, and the README's own subscribe command test fails.
    private static readonly FieldInfo? ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>Returns false only when an empty id should have been assigned and could not be.</summary>
    public static bool TryAssign(ValidatingConnectionEventArgs args)
    {
        if (!string.IsNullOrEmpty(args.ClientId))
        {
            return true;
        }

        if (args.CleanSession == false)
        {
            // A session kept across connections needs a name the client knows [MQTT-3.1.3-8].
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            return true;
        }

        var assigned = "auto-" + Guid.NewGuid().ToString("N");
        if (args.ProtocolVersion == MqttProtocolVersion.V500)
        {
            args.AssignedClientIdentifier = assigned;
            return true;
        }

        if (ConnectPacketField?.GetValue(args) is MqttConnectPacket packet)
        {
            packet.ClientId = assigned;
            return true;
        }

        return false;
    }
}
