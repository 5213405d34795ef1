using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Publishing;

/// <summary>TLS for the broker link: a private CA (pinned as the only trust anchor) and an optional client certificate.</summary>
internal static class MqttTls
{
    public static MqttClientTlsOptions Configure(MqttTlsOptions tls, string host)
    {
        var builder = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost(tls.ServerName ?? host)
            .WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
        if (tls.CaFile is { } caFile)
        {
            var authority = X509Certificate2.CreateFromPemFile(caFile);
            builder = builder.WithCertificateValidationHandler(context => IsTrusted(context.Certificate, context.SslPolicyErrors, authority));
        }

        if (tls.ClientCertificateFile is { } certificateFile)
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificateFile, tls.ClientKeyFile);
            // SslStream on Linux needs the key in a persisted form; an ephemeral PEM key is exported once.
            var exportable = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            builder = builder.WithClientCertificates([exportable]);
        }

        return builder.Build();
    }

    private static bool IsTrusted(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2 authority)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var certificate = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
