using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.MotionSweep;

/// <summary>One motion feature setting under test: a short name for tables, what it changes, and the settings themselves.</summary>
internal sealed record MotionCandidate(string Name, string Description, MotionFeatureOptions Options);
