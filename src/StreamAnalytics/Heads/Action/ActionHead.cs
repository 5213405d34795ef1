using Microsoft.Extensions.Logging;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads.Action;

/// <summary>
/// A supervised action head (manifest input layout <c>features</c>) paired with the backbone that feeds it:
/// it checks the pairing once, binds the head's feature recipe to the backbone's outputs, and turns a
/// feature vector into class probabilities. The same object serves the offline commands and, once wired,
/// the live pipeline, so both compute identical probabilities from identical frames.
/// Not thread-safe: one ONNX session with reused buffers.
/// </summary>
internal sealed class ActionHead : IDisposable
{
    private readonly OnnxModel _model;
    private readonly int _logitsOutput;
    private readonly float[] _features;

    private ActionHead(OnnxModel model, ClipFeatureRecipe recipe, int logitsOutput)
    {
        _model = model;
        Recipe = recipe;
        _logitsOutput = logitsOutput;
        Labels = model.Manifest.Outputs[logitsOutput].Labels;
        _features = new float[recipe.FeatureLength];
    }

    public ModelManifest Manifest => _model.Manifest;

    /// <summary>The recipe bound to the backbone's outputs; computes this head's input.</summary>
    public ClipFeatureRecipe Recipe { get; }

    /// <summary>T: frames per feature vector the head was trained on (a live window should hold as many).</summary>
    public int Frames => _model.Manifest.Input.Frames;

    public IReadOnlyList<string> Labels { get; }

    /// <summary>
    /// Loads <paramref name="head"/> and checks it against <paramref name="backbone"/>: the head must take
    /// features of a known recipe, name this backbone, give class logits, and take exactly the number of
    /// values the recipe computes from this backbone's outputs. Every mismatch names both manifests.
    /// </summary>
    /// <exception cref="ModelManifestException">The head cannot be used on this backbone.</exception>
    public static ActionHead Load(ModelManifest head, OnnxModel backbone, string executionProvider, int deviceId, int intraOpThreads, int maxBatch, ILogger logger)
    {
        var where = $"backbone manifest '{backbone.Manifest.ManifestPath}'";
        if (head.Input is not { Layout: TensorLayout.Features, Features: { } features })
        {
            throw new ModelManifestException(head.ManifestPath, [$"an action head takes input layout 'features' (got {head.Input.Layout.ToString().ToUpperInvariant()})."]);
        }

        var problems = new List<string>();
        if (!string.Equals(features.Backbone, backbone.Manifest.Name, StringComparison.Ordinal))
        {
            problems.Add($"the head was trained on backbone '{features.Backbone}' but {where} is '{backbone.Manifest.Name}'.");
        }

        var logits = -1;
        for (var o = 0; o < head.Outputs.Count && logits < 0; o++)
        {
            logits = head.Outputs[o].Role == OutputRole.ClassLogits ? o : -1;
        }

        if (logits < 0)
        {
            problems.Add("an action head needs an output with role classLogits.");
        }

        ClipFeatureRecipe? recipe = null;
        try
        {
            recipe = ClipFeatureRecipe.ForBackbone(features.Recipe, backbone.Manifest, backbone.OutputItemSizes);
            if (recipe.FeatureLength != features.Length)
            {
                problems.Add($"input.length is {features.Length} but recipe '{features.Recipe}' gives {recipe.FeatureLength} values from the outputs of {where}.");
            }
        }
        catch (ModelManifestException ex)
        {
            problems.AddRange(ex.Problems.Select(p => $"{where}: {p}"));
        }

        if (problems.Count > 0)
        {
            throw new ModelManifestException(head.ManifestPath, problems);
        }

        var model = OnnxModel.Load(head, executionProvider, deviceId, intraOpThreads, maxBatch, logger);
        return new ActionHead(model, recipe!, logits);
    }

    /// <summary>Class probabilities (softmax of the logits), in <see cref="Labels"/> order, for one feature vector.</summary>
    public float[] Probabilities(ReadOnlySpan<float> features)
    {
        var probabilities = new float[Labels.Count];
        Probabilities(features, probabilities);
        return probabilities;
    }

    public void Probabilities(ReadOnlySpan<float> features, Span<float> probabilities)
    {
        System.Numerics.Tensors.TensorPrimitives.SoftMax(RunLogits(features), probabilities);
    }

    /// <summary>
    /// The head's class logits, in <see cref="Labels"/> order, for one feature vector: what
    /// <c>ActionRule.Matches</c> takes (it applies the softmax and the thresholds).
    /// </summary>
    public float[] Logits(ReadOnlySpan<float> features) => RunLogits(features).ToArray();

    private ReadOnlySpan<float> RunLogits(ReadOnlySpan<float> features)
    {
        if (features.Length != Recipe.FeatureLength)
        {
            throw new ArgumentException($"{features.Length} features given; head '{Manifest.Name}' takes {Recipe.FeatureLength}.", nameof(features));
        }

        features.CopyTo(_model.InputItem(0));
        _model.Run(1);
        return _model.OutputItem(_logitsOutput, 0);
    }

    /// <summary>The mean of the class probabilities over several views of one clip (see <see cref="ClipFeatureRecipe"/>).</summary>
    public float[] MeanProbabilities(IReadOnlyList<float[]> views)
    {
        ArgumentOutOfRangeException.ThrowIfZero(views.Count);
        var sum = new double[Labels.Count];
        var one = new float[Labels.Count];
        foreach (var view in views)
        {
            Probabilities(view, one);
            for (var i = 0; i < one.Length; i++)
            {
                sum[i] += one[i];
            }
        }

        return [.. sum.Select(s => (float)(s / views.Count))];
    }

    /// <summary>Computes a window's features with the recipe and returns its class probabilities (the live path).</summary>
    public float[] Probabilities(Windowing.Window window)
    {
        Recipe.Compute(window, _features);
        return Probabilities(_features);
    }

    /// <summary>Computes a window's features with the recipe and returns its class logits (the live path, for <c>ActionRule</c>).</summary>
    public float[] Logits(Windowing.Window window)
    {
        Recipe.Compute(window, _features);
        return Logits(_features);
    }

    public void Dispose() => _model.Dispose();
}
