using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using StreamAnalytics.GpuBench;
using StreamAnalytics.Inference;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var logger = new StderrLogger();
ModelManifest manifest;
OnnxModel model;
var loadStarted = Stopwatch.GetTimestamp();
try
{
    manifest = ModelManifestLoader.Load(options.Manifest);
    model = OnnxModel.Load(manifest, options.Provider, options.Device, options.Threads, options.Batches.Max(), logger);
}
catch (ModelManifestException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
var export = ExportInfo.TryRead(manifest);
var clipModel = manifest.Input.Layout == TensorLayout.Ncthw;
var unit = clipModel ? "clips/s" : "frames/s";
var inv = CultureInfo.InvariantCulture;

SampleCheck.Result? sample = null;
var rows = new List<BenchRow>();
using (model)
{
    if (options.CheckSample)
    {
        sample = SampleCheck.Run(model, manifest, export);
        Console.Error.WriteLine(sample.Summary);
    }

    FillRandom(model);
    foreach (var batch in options.Batches)
    {
        if (batch > model.MaxBatch)
        {
            rows.Add(new BenchRow(batch, 0, 0, 0, 0, $"n/a: this model runs at most {model.MaxBatch} per run"));
            continue;
        }

        rows.Add(Measure(model, batch, options));
        Console.Error.WriteLine(string.Create(inv, $"batch {batch}: {rows[^1].ItemsPerSecond:F1} {unit} ({rows[^1].Runs} runs)"));
    }
}

// PyTorch runs after the session is gone, so the two never share the GPU.
PyTorchRunner.Result? pytorch = null;
if (options.PyTorch)
{
    pytorch = PyTorchRunner.Run(options, export);
    if (pytorch.Error is { } error)
    {
        Console.Error.WriteLine($"PyTorch: {error}");
    }
}

var report = Report();
Console.WriteLine(report);
if (options.Out is { } outFile)
{
    File.AppendAllText(outFile, report + Environment.NewLine);
}

if (options.RequireProvider && model.ExecutionProvider != options.Provider)
{
    Console.Error.WriteLine($"--require-provider: asked for {options.Provider} but the session ran on {model.ExecutionProvider}.");
    return 3;
}

return sample is { Passed: false } ? 4 : 0;

string Report()
{
    var text = new StringBuilder();
    text.AppendLine(inv, $"### {manifest.Name} {manifest.Version}: ONNX Runtime, {model.ExecutionProvider}");
    text.AppendLine();
    var input = manifest.Input;
    var shape = clipModel
        ? $"NCTHW [N,3,{input.Frames},{input.Format.Height},{input.Format.Width}]"
        : $"NCHW [N,3,{input.Format.Height},{input.Format.Width}]";
    var size = new FileInfo(manifest.ModelPath).Length / 1e6;
    text.AppendLine(inv, $"- Model: `{manifest.ManifestPath}` → `{Path.GetFileName(manifest.ModelPath)}` ({size:F1} MB), input {shape}{(export is null ? string.Empty : $"; {export.Describe()}")}");
    var fallback = model.ExecutionProvider == options.Provider
        ? string.Empty
        : $" — **fell back to {model.ExecutionProvider}**: {string.Join(" ", logger.Warnings)}";
    text.AppendLine(inv, $"- Execution provider: requested `{options.Provider}`, ran on `{model.ExecutionProvider}`{fallback}");
    text.AppendLine(inv, $"- ONNX Runtime {OrtEnv.Instance().GetVersionString()} (Microsoft.ML.OnnxRuntime.Gpu.Linux), .NET {Environment.Version}; session ready in {loadSeconds:F2} s (load, manifest check, warm-up run); up to {model.MaxBatch} items per run");
    text.AppendLine(inv, $"- Load log: {string.Join(" / ", logger.Messages)}");
    text.AppendLine(inv, $"- Machine: {MachineInfo.Describe()}");
    text.AppendLine(inv, $"- Method: random inputs in the product's pinned host buffers, bound once per batch size with IOBinding (so with CUDA every run copies the batch to the GPU and the outputs back); per batch size {options.Warmup:0.##} s warm-up (at least 3 runs), then runs for {options.Seconds:0.##} s; {unit} = items in all runs / wall time");
    text.AppendLine(inv, $"- Command: `{MachineInfo.CommandLine(args)}`");
    text.AppendLine(inv, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
    if (sample is not null)
    {
        text.AppendLine(inv, $"- Output check: {sample.Summary}");
    }

    if (pytorch is not null)
    {
        text.AppendLine(inv, $"- PyTorch: {pytorch.Describe()}");
    }

    text.AppendLine();
    var torchHeader = pytorch is null ? string.Empty : $" PyTorch eager {options.PyTorchDtype} {unit} | ORT / PyTorch |";
    var torchRule = pytorch is null ? string.Empty : "---:|---:|";
    text.AppendLine(inv, $"| batch | runs | {unit} | ms/run p50 | ms/run p99 |{torchHeader}");
    text.AppendLine(inv, $"|---:|---:|---:|---:|---:|{torchRule}");
    foreach (var row in rows)
    {
        var torch = string.Empty;
        if (pytorch is not null)
        {
            torch = pytorch.For(row.Batch) is { } best
                ? string.Create(inv, $" {best.ClipsPerSecond:N1} ({best.Layout}) | {(row.ItemsPerSecond > 0 ? (row.ItemsPerSecond / best.ClipsPerSecond).ToString("F2", inv) : "–")} |")
                : " – | – |";
        }

        text.AppendLine(row.Note is { } note
            ? $"| {row.Batch} | – | {note} | – | – |{torch}"
            : string.Create(inv, $"| {row.Batch} | {row.Runs} | {row.ItemsPerSecond:N1} | {row.P50:F2} | {row.P99:F2} |{torch}"));
    }

    return text.ToString();
}

static void FillRandom(OnnxModel model)
{
    var random = new Random(12345);
    for (var i = 0; i < model.MaxBatch; i++)
    {
        var item = model.InputItem(i);
        for (var k = 0; k < item.Length; k++)
        {
            // Roughly the range of a normalised image.
            item[k] = (float)((random.NextDouble() * 4) - 2);
        }
    }
}

static BenchRow Measure(OnnxModel model, int batch, BenchOptions options)
{
    var warmupStarted = Stopwatch.GetTimestamp();
    for (var runs = 0; runs < 3 || Stopwatch.GetElapsedTime(warmupStarted).TotalSeconds < options.Warmup; runs++)
    {
        model.Run(batch);
    }

    var durations = new List<double>(4096);
    var limit = TimeSpan.FromSeconds(options.Seconds);
    var started = Stopwatch.GetTimestamp();
    TimeSpan elapsed;
    do
    {
        durations.Add(model.Run(batch).TotalMilliseconds);
        elapsed = Stopwatch.GetElapsedTime(started);
    }
    while (elapsed < limit);

    durations.Sort();
    return new BenchRow(batch, durations.Count, durations.Count * batch / elapsed.TotalSeconds, Percentile(durations, 0.50), Percentile(durations, 0.99), null);
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

internal sealed record BenchRow(int Batch, int Runs, double ItemsPerSecond, double P50, double P99, string? Note);
