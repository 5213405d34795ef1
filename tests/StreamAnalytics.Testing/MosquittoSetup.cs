namespace StreamAnalytics.Testing;

/// <summary>
/// How a test broker is configured: persistent sessions (kept across restarts), a password, TLS, and where it
/// logs: stderr (<see cref="MosquittoBroker.CapturedStandardError"/>) by default, or with <paramref name="LogToFile"/>
/// a timestamped log with connection messages in <see cref="MosquittoBroker.LogPath"/> (the soak harness keeps it).
/// </summary>
public sealed record MosquittoSetup(bool Persistent = false, (string User, string Password)? Credentials = null, MosquittoTls? Tls = null, bool LogToFile = false);
