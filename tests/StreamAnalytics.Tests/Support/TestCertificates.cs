using System.Diagnostics;
using System.Security.Cryptography;

namespace StreamAnalytics.Tests.Support;

/// <summary>
/// A private CA and a server certificate it signed for 127.0.0.1 (subjectAltName IP:127.0.0.1 and
/// DNS:localhost), made with Debian's openssl in a temporary folder that is deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string OpenSslPath = "/usr/bin/openssl";

    private const string CaConfig = """
        [req]
        distinguished_name = dn
        prompt = no
        x509_extensions = v3_ca
        [dn]
        CN = StreamAnalytics test CA
        [v3_ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        """;

    private const string ServerConfig = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        CN = 127.0.0.1
        [server]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = IP:127.0.0.1,DNS:localhost
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        """;

    private TestCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string CaKeyFile => Path.Combine(Directory, "ca.key");

    public string CertificateFile => Path.Combine(Directory, "server.crt");

    public string KeyFile => Path.Combine(Directory, "server.key");

    /// <summary>The files as a mosquitto TLS listener wants them.</summary>
    public MosquittoTls ForMosquitto => new(CaFile, CertificateFile, KeyFile);

    public static async Task<TestCertificates> CreateAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(OpenSslPath))
        {
            throw new FileNotFoundException("openssl is not installed (apt-get install -y openssl).", OpenSslPath);
        }

        var certificates = new TestCertificates(System.IO.Directory.CreateTempSubdirectory("sa-tls-").FullName);
        try
        {
            await certificates.GenerateAsync(cancellationToken);
            return certificates;
        }
        catch
        {
            certificates.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private async Task GenerateAsync(CancellationToken cancellationToken)
    {
        var caConfig = Path.Combine(Directory, "ca.cnf");
        var serverConfig = Path.Combine(Directory, "server.cnf");
        var request = Path.Combine(Directory, "server.csr");
        await File.WriteAllTextAsync(caConfig, CaConfig + "\n", cancellationToken);
        await File.WriteAllTextAsync(serverConfig, ServerConfig + "\n", cancellationToken);

        await RunAsync(cancellationToken, "req", "-x509", "-config", caConfig, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", CaKeyFile, "-out", CaFile, "-days", "2", "-sha256");
        await RunAsync(cancellationToken, "req", "-new", "-config", serverConfig, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", KeyFile, "-out", request);
        await RunAsync(cancellationToken, "x509", "-req", "-in", request, "-CA", CaFile, "-CAkey", CaKeyFile,
            "-set_serial", "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
            "-days", "2", "-sha256", "-extfile", serverConfig, "-extensions", "server", "-out", CertificateFile);
    }

    private static async Task RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var info = new ProcessStartInfo(OpenSslPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("openssl did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:{Environment.NewLine}{await stderr}{await stdout}");
        }
    }
}
