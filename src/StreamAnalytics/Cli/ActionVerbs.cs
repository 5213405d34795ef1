using System.CommandLine;
using System.Globalization;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Tools.Actions;

namespace StreamAnalytics.Cli;

/// <summary><c>features action</c>, <c>score action</c> and <c>eval action</c>: the offline tools of the supervised action head.</summary>
internal static class ActionVerbs
{
    private const string ManifestFormat = "CLIPS.csv: a 'path,label' header, then one clip per line; paths are relative to its folder.";

    public static Command Features(VerbConsole console)
    {
        var manifest = VerbOptions.Required("--manifest", "CLIPS.csv", ManifestFormat);
        var features = VerbOptions.Required("--out", "FEATURES.csv", "Where to write one feature row per clip view (FEATURES.json beside it describes them).");
        var frames = new Option<int>("--frames")
        {
            HelpName = "T",
            Description = "Frames per view.",
            DefaultValueFactory = _ => ActionCommands.DefaultFrames,
            Validators =
            {
                r =>
                {
                    // Validators run even when the value is not a number; the parser reports that one.
                    if (r.Tokens is [{ Value: var text }]
                        && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                        && (value < ClipFeatureRecipe.MinimumFrames || value > ActionCommands.MaximumFrames))
                    {
                        r.AddError($"--frames must be a whole number from {ClipFeatureRecipe.MinimumFrames} to {ActionCommands.MaximumFrames} (got '{text}').");
                    }
                },
            },
        };
        var backbone = Backbone();
        var precision = Precision();
        var command = new Command("action", "Encode every clip of a path,label manifest; write one feature row per clip view (the action head's training data).")
        {
            manifest,
            features,
            frames,
            backbone,
            precision,
        };
        command.SetAction((result, cancellationToken) => console.RunToolAsync(
            (output, error, loggers, ct) => ActionCommands.FeaturesActionAsync(
                new FeaturesActionRequest(result.GetRequiredValue(manifest), result.GetRequiredValue(features), result.GetValue(frames), result.GetRequiredValue(backbone), result.GetRequiredValue(precision)), output, error, loggers, ct),
            cancellationToken));
        return command;
    }

    public static Command Score(VerbConsole console)
    {
        var model = Model();
        var video = VerbOptions.Required("--input", "VIDEO", "The clip to score.");
        var csv = VerbOptions.Required("--out", "CSV", "Where to write label,probability, one row per label.");
        var backbone = Backbone();
        var precision = Precision();
        var command = new Command("action", "Write label,probability for the whole clip, one row per label.")
        {
            model,
            video,
            csv,
            backbone,
            precision,
        };
        command.SetAction((result, cancellationToken) => console.RunToolAsync(
            (output, error, loggers, ct) => ActionCommands.ScoreActionAsync(
                new ScoreActionRequest(result.GetRequiredValue(model), result.GetRequiredValue(video), result.GetRequiredValue(csv), result.GetRequiredValue(backbone), result.GetRequiredValue(precision)), output, error, loggers, ct),
            cancellationToken));
        return command;
    }

    public static Command Eval(VerbConsole console)
    {
        var model = Model();
        var manifest = VerbOptions.Optional("--manifest", "CLIPS.csv", "Labelled clips to decode and score. " + ManifestFormat);
        var features = VerbOptions.Optional("--features", "FEATURES.csv", "Rows written by 'features action', scored without decoding.");
        var report = VerbOptions.Optional("--report", "OUT.json", "Where to write the JSON report.", "eval-action.json");
        var backbone = Backbone();
        var precision = Precision();
        var command = new Command("action", "Print the head's clip accuracy and confusion matrix on labelled clips (--manifest or --features); write a JSON report.")
        {
            model,
            manifest,
            features,
            report,
            backbone,
            precision,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(manifest) is null == r.GetResult(features) is null)
            {
                r.AddError(EvalActionRequest.OneSourceRule);
            }
        });
        command.SetAction((result, cancellationToken) => console.RunToolAsync(
            (output, error, loggers, ct) => ActionCommands.EvalActionAsync(
                new EvalActionRequest(result.GetRequiredValue(model), result.GetValue(manifest), result.GetValue(features), result.GetRequiredValue(report), result.GetRequiredValue(backbone), result.GetRequiredValue(precision)),
                output,
                error,
                loggers,
                ct),
            cancellationToken));
        return command;
    }

    private static Option<string> Model() => VerbOptions.Required("--model", "MANIFEST", "The action head's model manifest.");

    private static Option<string> Precision()
    {
        var option = VerbOptions.Optional(
            "--precision", "auto|fp32", "auto: the backbone manifest's INT8 variant, as the CPU runs it live; fp32: its FP32 file (Model.Precision).", "auto");
        option.AcceptOnlyFromAmong("auto", "fp32");
        return option;
    }

    private static Option<string> Backbone() => VerbOptions.Optional(
        "--backbone", "MANIFEST", "The backbone's model manifest (install folder, then working folder).", ActionCommands.DefaultBackbone);
}
