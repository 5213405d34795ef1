using StreamAnalytics.Heads;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Heads.ModelScore;
using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Hosting;

/// <summary>The detectors this build ships. Adding a detector is one line here (see the README, "Adding a detector").</summary>
internal static class HeadModules
{
    /// <summary>New instances (modules hold what they load), in the order their verdicts reach detection: frame heads run first anyway.</summary>
    public static List<IHeadModule> CreateDefault() =>
    [
        new MotionHeadModule(),
        new AppearanceHeadModule(),
        new ModelScoreHeadModule(),
        new ClassLogitsHeadModule(),
        new ActionHeadModule(),
    ];
}
