namespace StreamAnalytics.Testing;

/// <summary>PEM files for a TLS listener.</summary>
public sealed record MosquittoTls(string CaFile, string CertificateFile, string KeyFile);
