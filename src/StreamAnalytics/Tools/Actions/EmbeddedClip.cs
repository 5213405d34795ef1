namespace StreamAnalytics.Tools.Actions;

/// <summary>A decoded clip's views (see <see cref="ClipView"/>) and what encoding it cost.</summary>
internal sealed record EmbeddedClip(int DecodedFrames, int EncodedFrames, IReadOnlyList<ClipView> Views, double Seconds);
