using StreamAnalytics.Ingest;

namespace StreamAnalytics.Windowing;

/// <summary>
/// A head that sees every decoded frame of one camera, masked, in order, sampled or not (the motion head).
/// Windowing keeps the highest score over the frames each window spans and puts it on the window as a
/// <see cref="Contracts.HeadResult"/>. One instance per camera, called on that camera's windowing task only.
/// </summary>
internal interface IFrameHead : IDisposable
{
    /// <summary>The head's name in events, e.g. <c>motion-knn</c>.</summary>
    string Name { get; }

    string Version { get; }

    /// <summary>A <see cref="Contracts.HeadKind"/>.</summary>
    string Kind { get; }

    /// <summary>The label of the window results, e.g. <c>motion</c>.</summary>
    string Label { get; }

    /// <summary>The threshold a window's score is compared against (score above it: anomalous).</summary>
    double Threshold { get; }

    /// <summary>Scores <paramref name="frame"/> without disposing it. Must not allocate: it runs for every decoded frame.</summary>
    FrameHeadScore Process(Frame frame);

    /// <summary>Starts afresh: the camera reconnected, so nothing carries across the gap.</summary>
    void Reset();
}
