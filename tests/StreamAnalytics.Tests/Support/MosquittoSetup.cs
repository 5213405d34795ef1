namespace StreamAnalytics.Tests.Support;

/// <summary>How a test broker is configured: persistent sessions (kept across restarts), a password, TLS.</summary>
public sealed record MosquittoSetup(bool Persistent = false, (string User, string Password)? Credentials = null, MosquittoTls? Tls = null);
