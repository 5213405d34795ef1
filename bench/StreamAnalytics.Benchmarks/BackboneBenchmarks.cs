using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The shipped ResNet-18 on the CPU provider, FP32 file against its INT8 (QDQ) variant, as the product loads
/// them (<see cref="OnnxModel"/>, symbolic batch, bound buffers). One operation is one run of
/// <see cref="Batch"/> frames: frames/s = Batch / mean. The input is a fixed pseudo-random tensor; the
/// arithmetic does not depend on the values. <see cref="Backbone"/> <c>student</c>, the pruned and distilled student of
/// models/student (docs/models.md, "Distilled student backbone"), is measured only where <c>models/student/distill.sh</c>
/// has written its files into the repository: they are not shipped.
/// </summary>
[MemoryDiagnoser]
public class BackboneBenchmarks
{
    private OnnxModel _model = null!;

    [ParamsSource(nameof(Backbones))]
    public string Backbone { get; set; } = "resnet18";

    [Params("fp32", "int8")]
    public string Precision { get; set; } = "int8";

    [Params(1, 8)]
    public int Batch { get; set; } = 8;

    [GlobalSetup]
    public void Setup()
    {
        var manifest = ModelManifestLoader.Load(Backbone == "student"
            ? Path.Combine(StudentDirectory()!, "model.json")
            : Path.Combine(AppContext.BaseDirectory, "models/resnet18/model.json"));
        _model = OnnxModel.Load(manifest.WithPrecision(Precision == "fp32" ? "fp32" : "auto"), "cpu", 0, 0, Batch, NullLogger.Instance);
        if (_model.Precision != Precision)
        {
            throw new InvalidOperationException($"asked for {Precision}, loaded {_model.Precision}");
        }

        var random = new Random(7);
        for (var i = 0; i < Batch; i++)
        {
            foreach (ref var v in _model.InputItem(i))
            {
                v = (float)(random.NextDouble() * 255 - 115);
            }
        }
    }

    public static IEnumerable<string> Backbones() => StudentDirectory() is null ? ["resnet18"] : ["resnet18", "student"];

    /// <summary>models/student of the repository this benchmark runs from, when its ONNX files have been written.</summary>
    private static string? StudentDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamAnalytics.sln")))
            {
                var student = Path.Combine(dir.FullName, "models", "student");
                return File.Exists(Path.Combine(student, "student.onnx")) && File.Exists(Path.Combine(student, "student.int8.onnx")) ? student : null;
            }
        }

        return null;
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public TimeSpan Run() => _model.Run(Batch);
}
