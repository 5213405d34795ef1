using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Publishing;

/// <summary>
/// TLS for the broker link: a private CA (the only trust anchor when given) and an optional client
/// certificate. A rejected certificate is explained (policy errors and chain status) in the next
/// connect failure, instead of .NET's bare "rejected by the validation callback".
/// </summary>
internal sealed class MqttTls
{
    private readonly X509Certificate2Collection? _authorities;

    private MqttTls(X509Certificate2Collection? authorities) => _authorities = authorities;

    /// <summary>Why the last presented certificate was refused; null when it was accepted.</summary>
    public string? LastRejection { get; private set; }

    public static (MqttClientTlsOptions Options, MqttTls Validator) Configure(MqttTlsOptions tls, string host)
    {
        X509Certificate2Collection? authorities = null;
        if (tls.CaFile is { } caFile)
        {
            // A collection, not CreateFromPemFile: a CA file has no private key, and may be a bundle.
            authorities = [];
            authorities.ImportFromPemFile(caFile);
        }

        var validator = new MqttTls(authorities);
        var builder = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost(tls.ServerName ?? host)
            .WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13)
            .WithCertificateValidationHandler(context => validator.Validate(context.Certificate, context.Chain, context.SslPolicyErrors));
        if (tls.ClientCertificateFile is { } certificateFile)
        {
            using var certificate = X509Certificate2.CreateFromPemFile(certificateFile, tls.ClientKeyFile);
            // SslStream on Linux needs the key in a persisted form; an ephemeral PEM key is exported once.
            var exportable = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            builder = builder.WithClientCertificates([exportable]);
        }

        return (builder.Build(), validator);
    }

    private bool Validate(X509Certificate? presented, X509Chain? systemChain, SslPolicyErrors errors)
    {
        LastRejection = Check(presented, systemChain, errors);
        return LastRejection is null;
    }

    private string? Check(X509Certificate? presented, X509Chain? systemChain, SslPolicyErrors errors)
    {
        if (presented is null)
        {
            return "the broker presented no certificate";
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return $"the broker's certificate ({presented.Subject}) does not name this host; set Mqtt:Tls:ServerName if it uses another name";
        }

        if (_authorities is null)
        {
            return errors == SslPolicyErrors.None
                ? null
                : $"the broker's certificate ({presented.Subject}) is not trusted by this system ({Describe(systemChain)}); set Mqtt:Tls:CaFile to its CA";
        }

        using var certificate = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate)
            ? null
            : $"the broker's certificate ({presented.Subject}) does not chain to Mqtt:Tls:CaFile ({Describe(chain)})";
    }

    private static string Describe(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "no chain status"
            : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
}
