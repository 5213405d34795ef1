using System.Diagnostics;
using System.Runtime.InteropServices;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Inference;

/// <summary>
/// models/torchvision-video/export.py, end to end: PyTorch exports a torchvision video network with random
/// weights (at a small clip size, so it is quick), and the product loads what it wrote through its own
/// manifest loader and OnnxModel on CPU. ONNX Runtime's logits must equal PyTorch's for the same batch.
/// Needs python3-torch, python3-torchvision and python3-onnx, which scripts/install-deps.sh --tests installs.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class TorchvisionExportTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private const int Frames = 8;
    private const int Size = 32;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void R3d18_with_random_weights_exports_to_a_manifest_the_product_loads_and_matches_pytorch()
    {
        var manifestPath = Export("r3d_18", fp16: false);

        var manifest = ModelManifestLoader.Load(manifestPath);

        Assert.Equal("r3d_18-random", manifest.Name);
        Assert.Equal(TensorLayout.Ncthw, manifest.Input.Layout);
        Assert.Equal(Frames, manifest.Input.Frames);
        Assert.Equal([3, Frames, Size, Size], manifest.Input.ItemShape);
        Assert.Equal(StreamAnalytics.Windowing.ColorOrder.Rgb, manifest.Input.Format.ColorOrder);
        Assert.Equal(1f / 255f, manifest.Input.Format.Scale, 1e-7f);
        Assert.Equal([0.43216f, 0.394666f, 0.37645f], manifest.Input.Format.Mean);
        Assert.Equal([0.22803f, 0.22145f, 0.216989f], manifest.Input.Format.Std);
        var output = Assert.Single(manifest.Outputs);
        Assert.Equal(OutputRole.ClassLogits, output.Role);
        Assert.Equal(400, output.Labels.Count);
        Assert.Equal("abseiling", output.Labels[0]);
        Assert.Equal("zumba", output.Labels[^1]);
        Assert.Equal(400, output.Labels.Distinct().Count());

        var logger = new CapturingLogger();
        using var model = OnnxModel.Load(manifest, "cpu", 0, 0, 2, logger);

        Assert.Equal("cpu", model.ExecutionProvider);
        Assert.Equal(2, model.MaxBatch); // the export's batch dimension is symbolic: no rewrite needed
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("pins the batch", StringComparison.Ordinal));
        Assert.Equal([400], model.OutputItemSizes);
        AssertMatchesPyTorch(model, manifestPath, relativeTolerance: 1e-3f);
    }

    [Fact]
    public void The_fp16_variant_keeps_a_float32_interface_and_stays_close_to_pytorch()
    {
        // mc3_18: the same family at a third of the size; the float16 rewrite of the graph is what is tested.
        var manifestPath = Export("mc3_18", fp16: true);

        var manifest = ModelManifestLoader.Load(manifestPath);
        Assert.Equal("mc3_18-random-fp16", manifest.Name);

        using var model = OnnxModel.Load(manifest, "cpu", 0, 0, 2, new CapturingLogger());

        Assert.Equal(2, model.MaxBatch);
        Assert.Equal([400], model.OutputItemSizes);
        AssertMatchesPyTorch(model, manifestPath, relativeTolerance: 3e-2f);
        // Float16 weights: the file is about half the float32 one (mc3_18 has 11.7 M parameters).
        Assert.InRange(new FileInfo(manifest.ModelPath).Length, 20_000_000, 30_000_000);
    }

    /// <summary>export.py --sample wrote a batch of 2 clips and PyTorch's float32 logits for them.</summary>
    private static void AssertMatchesPyTorch(OnnxModel model, string manifestPath, float relativeTolerance)
    {
        var directory = Path.GetDirectoryName(manifestPath)!;
        var input = ReadFloats(Path.Combine(directory, "sample-input.f32"));
        var expected = ReadFloats(Path.Combine(directory, "sample-logits.f32"));
        var itemLength = 3 * Frames * Size * Size;
        Assert.Equal(2 * itemLength, input.Length);
        Assert.Equal(2 * 400, expected.Length);
        input.AsSpan(0, itemLength).CopyTo(model.InputItem(0));
        input.AsSpan(itemLength, itemLength).CopyTo(model.InputItem(1));

        model.Run(2);

        var actual = model.OutputItem(0, 0).ToArray().Concat(model.OutputItem(0, 1).ToArray()).ToArray();
        Assert.All(actual, v => Assert.True(float.IsFinite(v)));
        var largest = expected.Max(MathF.Abs);
        Assert.True(largest > 0, "PyTorch's logits are all zero");
        var worst = actual.Zip(expected, (a, e) => MathF.Abs(a - e)).Max();
        Assert.True(worst <= relativeTolerance * largest, $"ONNX Runtime differs from PyTorch by up to {worst} (largest logit {largest})");
        Assert.False(actual.AsSpan(0, 400).SequenceEqual(actual.AsSpan(400, 400)), "two different clips gave the same logits");
    }

    private string Export(string architecture, bool fp16)
    {
        var script = RepositoryRoot.Path("models", "torchvision-video", "export.py");
        var outDir = _dir.File(architecture);
        List<string> arguments = [script, "--model", architecture, "--out", outDir, "--random-weights", "--frames", $"{Frames}", "--size", $"{Size}", "--sample"];
        if (fp16)
        {
            arguments.Add("--fp16");
        }

        var (exitCode, output) = RunPython(arguments, TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"export.py exited with {exitCode}:{Environment.NewLine}{output}");
        Assert.True(File.Exists(Path.Combine(outDir, "model.onnx")), output);
        return Path.Combine(outDir, "model.json");
    }

    private static (int ExitCode, string Output) RunPython(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var (probeExit, probeOutput) = Run(["-c", "import torch, torchvision, onnx"], TimeSpan.FromMinutes(1));
        Assert.True(
            probeExit == 0,
            $"{Python} cannot import torch, torchvision and onnx; install them with scripts/install-deps.sh --tests " +
            $"(python3-torch python3-torchvision python3-onnx):{Environment.NewLine}{probeOutput}");
        return Run(arguments, timeout);
    }

    private static (int ExitCode, string Output) Run(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{Python} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
