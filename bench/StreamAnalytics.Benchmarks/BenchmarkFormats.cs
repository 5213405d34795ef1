using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Benchmarks;

/// <summary>Tensor formats and test frames shared by the benchmarks.</summary>
internal static class BenchmarkFormats
{
    /// <summary>The shipped manifest (models/resnet18/model.json, copied next to the benchmark): 224x224, BGR, ImageNet mean.</summary>
    public static FrameTensorFormat ResNet18()
    {
        var path = ConfiguredPath.Resolve("models/resnet18/model.json");
        return ModelManifestLoader.Load(path).Input.Format;
    }

    /// <summary>A typical clip model's input (r3d_18 / Kinetics normalisation): 112x112, RGB.</summary>
    public static FrameTensorFormat Clip112() =>
        new(112, 112, ColorOrder.Rgb, 1f / 255f, [0.43216f, 0.394666f, 0.37645f], [0.22803f, 0.22145f, 0.216989f]);

    public static CameraMetrics Metrics(string cameraId) =>
        new PipelineMetrics(Prometheus.Metrics.NewCustomRegistry()).ForCamera(cameraId);

    public static (int Width, int Height) ParseSize(string size)
    {
        var parts = size.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Fills a pool's frame once with a deterministic, non-flat picture (the pool hands the same buffer back).</summary>
    /// <summary>A pool of frames of <paramref name="size"/> ("WxH") and one of its frames, filled with a textured pattern.</summary>
    public static (FramePool Pool, Frame Frame) FilledFrame(string size)
    {
        var (width, height) = ParseSize(size);
        var pool = new FramePool("bench", width, height);
        FillOnce(pool);
        return (pool, pool.Rent());
    }

    public static void FillOnce(FramePool pool)
    {
        using var frame = pool.Rent();
        var pixels = frame.Pixels;
        var random = new Random(42);
        for (var y = 0; y < frame.Height; y++)
        {
            for (var x = 0; x < frame.Width; x++)
            {
                var i = ((y * frame.Width) + x) * 3;
                pixels[i] = (byte)(x + random.Next(16));
                pixels[i + 1] = (byte)(y + random.Next(16));
                pixels[i + 2] = (byte)((x ^ y) + random.Next(16));
            }
        }
    }
}
