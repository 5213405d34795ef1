using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace StreamAnalytics.GpuBench;

/// <summary>Runs pytorch_bench.py (same architecture, clip size, batches and seconds) in a child Python.</summary>
internal static class PyTorchRunner
{
    public sealed record Measurement(int Batch, string Layout, double ClipsPerSecond);

    public sealed record Result(string? Error, string Torch, string Device, string Notes, IReadOnlyList<Measurement> Best)
    {
        public Measurement? For(int batch) => Best.FirstOrDefault(m => m.Batch == batch);

        public string Describe() => Error is null
            ? $"torch {Torch} on {Device}; {Notes}"
            : $"not measured: {Error}";
    }

    public static Result Run(BenchOptions options, ExportInfo? export)
    {
        if (export is null)
        {
            return Failed("--pytorch needs export.json beside the manifest (export the model with models/torchvision-video/export.py)");
        }

        var script = Path.Combine(AppContext.BaseDirectory, "pytorch_bench.py");
        var start = new ProcessStartInfo(options.Python)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            script, "--arch", export.Architecture, "--frames", Invariant(export.Frames), "--size", Invariant(export.Size),
            "--batches", string.Join(',', options.Batches), "--seconds", Invariant(options.Seconds), "--warmup", Invariant(options.Warmup),
            "--device", options.PyTorchDevice, "--dtype", options.PyTorchDtype,
        })
        {
            start.ArgumentList.Add(arg);
        }

        // CUDA 13's folder on LD_LIBRARY_PATH (which ONNX Runtime needs) makes PyTorch load the wrong cuDNN.
        var forPyTorch = Environment.GetEnvironmentVariable("GPUBENCH_PYTORCH_LD_LIBRARY_PATH");
        if (string.IsNullOrEmpty(forPyTorch))
        {
            start.Environment.Remove("LD_LIBRARY_PATH");
        }
        else
        {
            start.Environment["LD_LIBRARY_PATH"] = forPyTorch;
        }

        string output;
        int exitCode;
        try
        {
            using var process = Process.Start(start)!;
            output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            exitCode = process.ExitCode;
        }
        catch (Win32Exception ex)
        {
            return Failed($"cannot start {options.Python}: {ex.Message}");
        }

        var json = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (json is null)
        {
            return Failed($"{options.Python} pytorch_bench.py exited with {exitCode} and printed no result (see its stderr above)");
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            return Failed(error.GetString() ?? "error");
        }

        var best = root.GetProperty("best").EnumerateArray()
            .Select(m => new Measurement(m.GetProperty("batch").GetInt32(), m.GetProperty("layout").GetString()!, m.GetProperty("clipsPerSecond").GetDouble()))
            .ToList();
        return new Result(null, root.GetProperty("torch").GetString()!, root.GetProperty("device").GetString()!, root.GetProperty("notes").GetString()!, best);
    }

    private static Result Failed(string error) => new(error, string.Empty, string.Empty, string.Empty, []);

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
