namespace StreamAnalytics.Testing;

/// <summary>
/// How a test broker is configured: persistent sessions (kept across restarts), a password, TLS, and where it
/// logs: stderr (<see cref="MosquittoBroker.CapturedStandardError"/>) by default, or with <paramref name="LogToFile"/>
/// a timestamped log with connection messages in <see cref="MosquittoBroker.LogPath"/> (the soak harness keeps it).
/// A persistent broker saves every <paramref name="AutosaveSeconds"/> (so a SIGKILL loses at most that much);
/// null leaves mosquitto's default (save on SIGTERM and every 30 minutes).
/// </summary>
public sealed record MosquittoSetup(
    bool Persistent = false,
    (string User, string Password)? Credentials = null,
    MosquittoTls? Tls = null,
    bool LogToFile = false,
    int? AutosaveSeconds = 1);
