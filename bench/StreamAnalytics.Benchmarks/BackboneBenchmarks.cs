using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The shipped ResNet-18 on the CPU provider, FP32 file against its INT8 (QDQ) variant, as the product loads
/// them (<see cref="OnnxModel"/>, symbolic batch, bound buffers). One operation is one run of
/// <see cref="Batch"/> frames: frames/s = Batch / mean. The input is a fixed pseudo-random tensor; the
/// arithmetic does not depend on the values.
/// </summary>
[MemoryDiagnoser]
public class BackboneBenchmarks
{
    private OnnxModel _model = null!;

    [Params("fp32", "int8")]
    public string Precision { get; set; } = "int8";

    [Params(1, 8)]
    public int Batch { get; set; } = 8;

    [GlobalSetup]
    public void Setup()
    {
        var manifest = ModelManifestLoader.Load(Path.Combine(AppContext.BaseDirectory, "models/resnet18/model.json"));
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

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public TimeSpan Run() => _model.Run(Batch);
}
