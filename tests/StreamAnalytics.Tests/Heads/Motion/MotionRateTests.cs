using System.Text;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Ingest;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Heads.Motion;

/// <summary><see cref="MotionFeatureOptions.MaxFps"/>: which frames the motion head measures, and how a state keeps the rate.</summary>
public sealed class MotionRateTests
{
    private static readonly MotionFeatureOptions Small = new() { AnalysisWidth = 64, AnalysisHeight = 64, CellSize = 32, CellStride = 32 };

    private static List<int> Admitted(MotionFeatureExtractor extractor, double fps, int frames, double jitterMs = 0)
    {
        var random = new Random(3);
        var admitted = new List<int>();
        for (var i = 0; i < frames; i++)
        {
            var time = DateTimeOffset.UnixEpoch.AddSeconds(i / fps).AddMilliseconds(jitterMs * ((2 * random.NextDouble()) - 1));
            if (extractor.Admit(time))
            {
                admitted.Add(i);
            }
        }

        return admitted;
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(12, 1)]
    [InlineData(12.5, 1)]
    [InlineData(15, 2)]
    [InlineData(20, 2)]
    [InlineData(24, 3)]
    [InlineData(25, 3)]
    [InlineData(30, 3)]
    public void Under_10_a_camera_is_measured_on_every_nth_frame_on_a_steady_rhythm_despite_jitter(double fps, int every)
    {
        using var extractor = new MotionFeatureExtractor(Small with { MaxFps = 10 });

        var admitted = Admitted(extractor, fps, 150, jitterMs: 8);

        // Capture times that wobble by up to 8 ms do not change the rhythm once the rate is estimated.
        Assert.Equal(every, extractor.Stride);
        var steady = admitted.SkipWhile(i => i < 30).ToList();
        Assert.All(steady.Zip(steady.Skip(1)), pair => Assert.Equal(every, pair.Second - pair.First));
        Assert.True(steady.Count >= (120 / every) - 1, string.Join(",", admitted));
    }

    [Fact]
    public void Zero_measures_every_frame_and_a_reset_starts_over_from_the_next_one()
    {
        using (var every = new MotionFeatureExtractor(Small with { MaxFps = 0 }))
        {
            Assert.Equal(30, Admitted(every, 30, 30).Count);
        }

        // 25 fps under 10: every frame while the rate is learned (6 frames) and confirmed (15 more, the last one
        // skipped), then every third, counted from the last measured frame.
        using var extractor = new MotionFeatureExtractor(Small with { MaxFps = 10 });
        var start = DateTimeOffset.UnixEpoch;
        bool[] Next(int frames, int from) => [.. Enumerable.Range(from, frames).Select(i => extractor.Admit(start.AddMilliseconds(40 * i)))];
        bool[] expected = [.. Enumerable.Repeat(true, 19), false, false, true, false, false, true, false, false, true];
        Assert.Equal(expected, Next(expected.Length, 0));
        extractor.Reset();
        Assert.Equal(expected, Next(expected.Length, 1000));
    }

    [Fact]
    public void Stalls_and_bursts_do_not_change_the_rhythm_of_a_10_fps_camera()
    {
        using var extractor = new MotionFeatureExtractor(Small with { MaxFps = 10 });
        var times = Enumerable.Range(0, 40).Select(i => 100.0 * i).ToList();

        // A one-second stall: the next ten frames then arrive 2 ms apart; later, three frames 5 ms apart; at the end of a
        // file, the last two 20 ms apart.
        times.AddRange(Enumerable.Range(0, 10).Select(i => 4900.0 + (2 * i)));
        times.AddRange(Enumerable.Range(0, 20).Select(i => 5000.0 + (100 * i)));
        times.AddRange([7000, 7005, 7010]);
        times.AddRange(Enumerable.Range(1, 10).Select(i => 7000.0 + (100 * i)));
        times.AddRange([8020, 8040]);
        var admitted = times.Select(ms => extractor.Admit(DateTimeOffset.UnixEpoch.AddMilliseconds(ms))).ToList();

        Assert.All(admitted, Assert.True);
    }

    [Fact]
    public void Buffered_frames_bursting_in_when_a_stream_starts_do_not_make_a_10_fps_camera_skip_frames()
    {
        using var extractor = new MotionFeatureExtractor(Small with { MaxFps = 10 });

        // The first ten frames arrive within 10 ms, then one every 100 ms.
        var times = Enumerable.Range(0, 10).Select(i => (double)i).Concat(Enumerable.Range(1, 60).Select(i => 9.0 + (100 * i)));
        var admitted = times.Select(ms => extractor.Admit(DateTimeOffset.UnixEpoch.AddMilliseconds(ms))).ToList();

        Assert.All(admitted, Assert.True);
        Assert.Equal(1, extractor.Stride);
    }

    [Fact]
    public void Frames_between_measurements_repeat_the_last_score_under_their_own_sequence()
    {
        var random = new Random(9);
        var features = Small with { MaxFps = 10 };
        var model = MotionNormalityLearner.Learn([Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, features.FeatureLength).Select(_ => (float)random.NextDouble()).ToArray()).ToList()], features, new MotionNormalityOptions(), "cam", DateTimeOffset.UnixEpoch);
        using var head = new MotionAnomalyHead(model);
        var pool = new FramePool("cam", 64, 64);
        var scores = new List<StreamAnalytics.Windowing.FrameHeadScore>();
        for (var i = 0; i < 30; i++)
        {
            using var frame = pool.Rent();
            frame.Sequence = i + 1;
            frame.CaptureTime = DateTimeOffset.UnixEpoch.AddSeconds(i / 30.0);
            random.NextBytes(frame.Buffer);
            scores.Add(head.Process(frame));
        }

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), scores.Select(s => s.Sequence));

        // 30 fps under 10: the first 19 frames are measured while the rate is learned and confirmed, then frames 22,
        // 25, 28, and the two after each repeat it.
        Assert.False(scores[0].HasScore);
        for (var m = 21; m + 2 < 30; m += 3)
        {
            Assert.True(scores[m].HasScore);
            Assert.Equal(scores[m] with { Sequence = 0 }, scores[m + 1] with { Sequence = 0 });
            Assert.Equal(scores[m] with { Sequence = 0 }, scores[m + 2] with { Sequence = 0 });
        }

        Assert.NotEqual(scores[21].RawScore, scores[24].RawScore);
    }

    [Fact]
    public void A_state_keeps_its_rate_and_one_written_before_the_rate_existed_reads_as_every_frame()
    {
        using var directory = new TempDirectory();
        var random = new Random(4);
        var features = Small with { MaxFps = 7.5 };
        var model = MotionNormalityLearner.Learn([Enumerable.Range(0, 30).Select(_ => Enumerable.Range(0, features.FeatureLength).Select(_ => (float)random.NextDouble()).ToArray()).ToList()], features, new MotionNormalityOptions(), "cam", DateTimeOffset.UnixEpoch);
        var path = directory.File("cam.state");
        MotionStateFile.Save(model, path);

        Assert.Equal(7.5, MotionStateFile.Load(path).FeatureOptions.MaxFps);
        Assert.Throws<InvalidDataException>(() => MotionStateFile.Load(path, Small with { MaxFps = 10 }));

        // The same file as format version 1 wrote it: no rate after the Farneback settings.
        var bytes = File.ReadAllBytes(path);
        int rateAt;
        using (var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8))
        {
            reader.ReadBytes(8);
            reader.ReadInt32();
            reader.ReadString();
            reader.ReadInt64();
            for (var i = 0; i < 7; i++)
            {
                reader.ReadInt32();
            }

            reader.ReadSingle();
            reader.ReadDouble();
            for (var i = 0; i < 4; i++)
            {
                reader.ReadInt32();
            }

            reader.ReadDouble();
            rateAt = (int)reader.BaseStream.Position;
        }

        Assert.Equal(7.5, BitConverter.ToDouble(bytes, rateAt));
        var old = bytes[..rateAt].Concat(bytes[(rateAt + 8)..]).ToArray();
        BitConverter.GetBytes(1).CopyTo(old, 8);
        var oldPath = directory.File("old.state");
        File.WriteAllBytes(oldPath, old);

        var loaded = MotionStateFile.Load(oldPath);
        Assert.Equal(0, loaded.FeatureOptions.MaxFps);
        Assert.Equal(model.Vectors, loaded.Vectors);
    }
}
