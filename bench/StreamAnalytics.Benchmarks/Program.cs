using BenchmarkDotNet.Running;

namespace StreamAnalytics.Benchmarks;

public static class Program
{
    /// <summary>
    /// Runs the hot-path benchmarks, e.g.
    /// <c>dotnet run -c Release -- --filter '*' --job short</c> (2-core machine: a short job keeps the run to minutes).
    /// </summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
