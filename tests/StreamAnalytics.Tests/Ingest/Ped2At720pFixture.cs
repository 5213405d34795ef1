using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Tools.Anomaly;

namespace StreamAnalytics.Tests.Ingest;

/// <summary>
/// Every Ped2 video encoded at 1080x720 as a 720p camera would send it (x264 with its deblocking on), the INT8 backbone,
/// and the embeddings of the footage as Ped2 itself holds it (360x240, what the heads were built on): what the decode
/// parity tests compare a 720p camera's frames against. Training videos are embedded every <see cref="TrainEveryNth"/>
/// frame, test videos every frame, in that order.
/// </summary>
public sealed class Ped2At720pFixture : IAsyncLifetime, IDisposable
{
    public const int Batch = 8;

    public const int TrainEveryNth = 3;

    private readonly TempDirectory _dir = new();

    private readonly Dictionary<(string FastDecode, string ScaleFilter), List<float[]>> _decoded = [];

    private VideoEmbeddings? _native;

    internal OnnxModel Model { get; private set; } = null!;

    /// <summary>The 1080x720 encodes of the training videos, in name order.</summary>
    internal List<string> Train { get; } = [];

    /// <summary>The 1080x720 encodes of the labelled test videos, in the labels' order.</summary>
    internal List<string> Test { get; } = [];

    /// <summary>Per test frame, in the order embedded: whether the labels call it anomalous.</summary>
    internal List<bool> Truth { get; } = [];

    internal List<float[]> Native => _native!.Of[0];

    internal int TrainFrames { get; private set; }

    public async Task InitializeAsync()
    {
        Model = OnnxModel.Load(ModelManifestLoader.Load(ResNet18.ManifestPath), "cpu", 0, 0, Batch, new CapturingLogger());
        _native = new VideoEmbeddings(Model);
        foreach (var video in Directory.GetFiles(SharedData.Path("ucsd-ped2", "train"), "*.mp4").Order(StringComparer.Ordinal))
        {
            Train.Add(await At720pAsync(video));
            await _native.AddAsync(video, TrainEveryNth, height: null, CameraOptions.FastDecodeOff);
        }

        TrainFrames = Native.Count;
        foreach (var labels in AnomalyLabels.Load(SharedData.Path("ucsd-ped2", "test", "labels.json")))
        {
            var video = SharedData.Path("ucsd-ped2", "test", labels.Name);
            Test.Add(await At720pAsync(video));
            var count = await _native.AddAsync(video, every: 1, height: null, CameraOptions.FastDecodeOff);
            for (var frame = 1; frame <= count; frame++)
            {
                Truth.Add(labels.IsAnomalous(frame));
            }
        }
    }

    /// <summary>
    /// The embeddings of every 720p frame decoded at <paramref name="height"/> rows with these settings, in the order of
    /// <see cref="Native"/>; each setting is decoded once and shared by the facts that compare it.
    /// </summary>
    internal async Task<List<float[]>> DecodedAsync(int height, string fastDecode, string scaleFilter)
    {
        if (_decoded.TryGetValue((fastDecode, scaleFilter), out var known))
        {
            return known;
        }

        void AtHeight(Frame frame) => Assert.Equal(height, frame.Height);
        using var embeddings = new VideoEmbeddings(Model);
        foreach (var video in Train)
        {
            await embeddings.AddAsync(video, TrainEveryNth, height, fastDecode, AtHeight, scaleFilter);
        }

        foreach (var video in Test)
        {
            await embeddings.AddAsync(video, every: 1, height, fastDecode, AtHeight, scaleFilter);
        }

        Assert.Equal(Native.Count, embeddings.Of[0].Count);
        return _decoded[(fastDecode, scaleFilter)] = embeddings.Of[0];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _native?.Dispose();
        Model?.Dispose();
        _dir.Dispose();
    }

    private async Task<string> At720pAsync(string source)
    {
        var path = _dir.File(Path.GetFileName(source));
        await FfmpegTool.RunAsync("-threads", "2", "-i", source, "-vf", "scale=1080:720", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "30", "-pix_fmt", "yuv420p", path);
        return path;
    }
}
