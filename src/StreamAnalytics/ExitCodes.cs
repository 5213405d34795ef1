namespace StreamAnalytics;

/// <summary>
/// The process exit codes, a contract with operators and scripts (README "Running it"). Shared by the
/// service, the offline tools and the command-line front, so that none of them has to depend on another for it.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Failed while running: a port taken, a video that cannot be decoded, a file that cannot be written.</summary>
    public const int Failed = 1;

    /// <summary>Invalid configuration, model, input files or command-line usage: nothing was run.</summary>
    public const int InvalidInput = 2;
}
