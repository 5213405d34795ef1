using System.CommandLine;
using StreamAnalytics.Tools.Anomaly;

namespace StreamAnalytics.Cli;

/// <summary><c>learn</c>, <c>score anomaly</c>, <c>eval anomaly</c> and <c>replay anomaly</c>: the offline tools of the motion anomaly head.</summary>
internal static class AnomalyVerbs
{
    private static AnomalyTuning Tuning(ParseResult result, Option<double> sensitivity, Option<int> minCells, Option<double> minDuration) =>
        new(result.GetValue(sensitivity), result.GetValue(minCells), result.GetValue(minDuration));

    /// <summary>The noise controls, as options: the same names and meaning as the camera's settings.</summary>
    private static (Option<double> Sensitivity, Option<int> MinCells, Option<double> MinDuration) TuningOptions() => (
        new Option<double>("--sensitivity") { HelpName = "S", Description = "Cameras[i].MotionSensitivity: the threshold is the learned one over S.", DefaultValueFactory = _ => 1 },
        new Option<int>("--min-cells") { HelpName = "N", Description = "Detection.Motion.MinCells: a frame scores its N-th most unusual cell.", DefaultValueFactory = _ => 1 },
        new Option<double>("--min-duration") { HelpName = "SECONDS", Description = "Detection.Lifecycle.MinDurationSeconds for the event figures.", DefaultValueFactory = _ => 0 });

    private static Option<double> MaxFpsOption() => new("--max-fps")
    {
        HelpName = "FPS",
        Description = "Detection.Motion.MaxFps: motion measurements per second of footage at most (0: every frame). The state keeps it; cameras must use the same.",
        DefaultValueFactory = _ => Configuration.MotionOptions.DefaultMaxFps,
        Validators = { r => { if (!(r.GetValueOrDefault<double>() is >= 0 and <= 120)) { r.AddError("--max-fps must be between 0 and 120."); } } },
    };

    public static Command Learn(VerbConsole console)
    {
        var state = VerbOptions.Required("--out", "STATE", "Where to write the learned state.");
        var inputs = VerbOptions.Inputs("Normal footage: .mp4/.avi files; a folder means all of them, in name order.");
        var camera = VerbOptions.Optional("--camera", "ID", "The camera the state is for: 1 to 64 letters, digits, '-' or '_'.", "offline");
        var maxFps = MaxFpsOption();
        var command = new Command("learn", "Learn the motion normality of a camera from normal footage.")
        {
            state,
            inputs,
            camera,
            maxFps,
        };
        command.SetAction((result, cancellationToken) => console.RunToolAsync(
            (output, error, loggers, ct) => AnomalyCommands.LearnAsync(
                new LearnRequest(result.GetRequiredValue(state), result.GetRequiredValue(inputs), result.GetRequiredValue(camera), result.GetValue(maxFps)), output, error, loggers, ct),
            cancellationToken));
        return command;
    }

    public static Command Score(VerbConsole console)
    {
        var state = VerbOptions.Required("--state", "STATE", "A state written by learn.");
        var video = VerbOptions.Required("--input", "VIDEO", "The video to score.");
        var csv = VerbOptions.Required("--out", "CSV", "Where to write frame,score.");
        var command = new Command("anomaly", "Write frame,score for every decoded frame (1-based; higher = more anomalous).")
        {
            state,
            video,
            csv,
        };
        command.SetAction((result, cancellationToken) => console.RunToolAsync(
            (output, error, loggers, ct) => AnomalyCommands.ScoreAnomalyAsync(
                new ScoreAnomalyRequest(result.GetRequiredValue(state), result.GetRequiredValue(video), result.GetRequiredValue(csv)), output, error, loggers, ct),
            cancellationToken));
        return command;
    }

    public static Command Eval(VerbConsole console)
    {
        var state = VerbOptions.Required("--state", "STATE", "A state written by learn.");
        var labels = VerbOptions.Required("--labels", "labels.json", "Frame-level ground truth; the videos it lists are found next to it.");
        var report = VerbOptions.Optional("--report", "OUT.json", "Where to write the JSON report.", "eval-anomaly.json");
        var (sensitivity, minCells, minDuration) = TuningOptions();
        var command = new Command("anomaly", "Score every video listed in labels.json and print the frame-level ROC AUC.")
        {
            state,
            labels,
            report,
            sensitivity,
            minCells,
            minDuration,
        };
        command.SetAction((result, cancellationToken) => console.RunToolAsync(
            (output, error, loggers, ct) => AnomalyCommands.EvalAnomalyAsync(
                new EvalAnomalyRequest(result.GetRequiredValue(state), result.GetRequiredValue(labels), result.GetRequiredValue(report), Tuning(result, sensitivity, minCells, minDuration)), output, error, loggers, ct),
            cancellationToken));
        return command;
    }

    public static Command Replay(VerbConsole console)
    {
        var inputs = VerbOptions.Inputs("Normal footage, played one after the other as one camera: .mp4/.avi files; a folder means all of them, in name order.");
        var fps = new Option<double>("--fps") { Required = true, HelpName = "FPS", Description = "The footage's frame rate: footage time is frame number / fps." };
        var minutes = new Option<double>("--learning-minutes") { HelpName = "MINUTES", Description = "Footage learned before scoring (Detection.Motion.LearningMinutes).", DefaultValueFactory = _ => new Configuration.MotionOptions().LearningMinutes };
        var loops = new Option<int>("--loops") { HelpName = "N", Description = "Times the inputs are played (a looping file camera).", DefaultValueFactory = _ => 1 };
        var seed = VerbOptions.Optional("--state", "STATE", "Start from a state written by learn instead of learning first.");
        var report = VerbOptions.Optional("--report", "OUT.json", "Where to write the JSON report.", "replay-anomaly.json");
        var maxFps = MaxFpsOption();
        var (sensitivity, minCells, minDuration) = TuningOptions();
        var command = new Command("anomaly", "Play normal footage as a live camera, faster than real time: it learns first, then every incident is a false one.")
        {
            inputs,
            fps,
            minutes,
            loops,
            seed,
            maxFps,
            report,
            sensitivity,
            minCells,
            minDuration,
        };
        command.SetAction((result, cancellationToken) => console.RunToolAsync(
            (output, error, loggers, ct) => AnomalyReplayCommand.RunAsync(
                new ReplayAnomalyRequest(result.GetRequiredValue(inputs), result.GetValue(fps), result.GetValue(minutes), result.GetValue(loops), result.GetValue(seed), result.GetRequiredValue(report), result.GetValue(maxFps), Tuning(result, sensitivity, minCells, minDuration)), output, error, loggers, ct),
            cancellationToken));
        return command;
    }
}
