using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using StreamAnalytics.Inference;
using StreamAnalytics.Inference.OnnxSchema;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Inference;

/// <summary>
/// The load-time edits on the real ResNet-18 (batch pinned at 1 by its CNTK exporter, its 7x7 feature map
/// recorded in value_info) and on the tiny test clip model, each checked through ONNX Runtime itself.
/// </summary>
public sealed class OnnxGraphEditsTests
{
    private const string Input = "Input247";
    private const string Embedding = "Pooling395_Output_0";
    private const string FeatureMap = "ReLU393_Output_0";
    private const int ItemElements = 3 * 224 * 224;
    private const float Tolerance = 1e-5f;

    private static string TinyClipPath => Path.Combine(AppContext.BaseDirectory, "Assets", "models", "tiny_clip.onnx");

    [Fact]
    public void The_batch_made_symbolic_lets_onnx_runtime_run_several_items_each_as_it_would_alone()
    {
        var model = ReadResNet18();
        var graph = model.Graph;
        Assert.Equal(1, graph.Input.Single(i => i.Name == Input).Type.TensorType.Shape.Dim[0].DimValue);

        Assert.True(OnnxGraphEdits.MakeBatchSymbolic(model));

        AssertBatchSymbolic(graph.Input.Single(i => i.Name == Input));
        Assert.All(graph.Output, AssertBatchSymbolic);
        Assert.Empty(graph.ValueInfo);

        using var edited = new InferenceSession(model.ToByteArray());
        Assert.Equal([-1, 3, 224, 224], edited.InputMetadata[Input].Dimensions);
        Assert.Equal(-1, edited.OutputMetadata[Embedding].Dimensions[0]);

        const int batch = 3;
        var items = RandomItems(batch, seed: 11);
        var batched = Run(edited, items, Embedding);
        using var original = new InferenceSession(ResNet18.ModelPath);
        for (var i = 0; i < batch; i++)
        {
            var alone = Run(original, [items[i]], Embedding);
            Assert.Equal(ResNet18.EmbeddingLength, alone.Length);
            AssertClose(alone, batched.AsSpan(i * ResNet18.EmbeddingLength, ResNet18.EmbeddingLength).ToArray());
        }
    }

    [Fact]
    public void A_batch_that_is_already_symbolic_is_left_as_it_is()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyClipPath));
        var before = model.Clone();

        Assert.False(OnnxGraphEdits.MakeBatchSymbolic(model));

        Assert.Equal(before, model);
    }

    [Fact]
    public void An_intermediate_tensor_exposed_is_a_graph_output_with_its_recorded_shape_and_onnx_runtime_returns_it()
    {
        var model = ReadResNet18();

        var exposed = OnnxGraphEdits.ExposeOutputs(model, [Embedding, FeatureMap]);

        Assert.Equal([FeatureMap], exposed);
        Assert.Equal([Embedding, FeatureMap], model.Graph.Output.Select(o => o.Name));
        Assert.Equal([1L, 512, 7, 7], model.Graph.Output[1].Type.TensorType.Shape.Dim.Select(d => d.DimValue));

        using var session = new InferenceSession(model.ToByteArray());
        Assert.Equal([1, 512, 7, 7], session.OutputMetadata[FeatureMap].Dimensions);
        var item = RandomItems(1, seed: 5)[0];
        var outputs = RunAll(session, [item], [Embedding, FeatureMap]);
        Assert.Equal(512 * 7 * 7, outputs[1].Length);
        Assert.All(outputs[1], v => Assert.True(float.IsFinite(v) && v >= 0, "a ReLU's output is finite and not negative"));
        Assert.True(outputs[1].Distinct().Count() > 100, "the feature map should not be constant");

        // Exposing a tensor does not change what the graph computes.
        using var original = new InferenceSession(ResNet18.ModelPath);
        AssertClose(Run(original, [item], Embedding), outputs[0]);
    }

    [Fact]
    public void An_exposed_feature_map_takes_the_symbolic_batch_too()
    {
        var model = ReadResNet18();
        OnnxGraphEdits.ExposeOutputs(model, [FeatureMap]);

        Assert.True(OnnxGraphEdits.MakeBatchSymbolic(model));

        using var session = new InferenceSession(model.ToByteArray());
        Assert.Equal([-1, 512, 7, 7], session.OutputMetadata[FeatureMap].Dimensions);
        Assert.Equal(2 * 512 * 7 * 7, Run(session, RandomItems(2, seed: 9), FeatureMap).Length);
    }

    [Fact]
    public void Names_already_outputs_unknown_or_without_a_recorded_shape_are_not_exposed()
    {
        var resnet = ReadResNet18();
        var resnetBefore = resnet.Clone();
        Assert.Empty(OnnxGraphEdits.ExposeOutputs(resnet, [Embedding, "no_such_tensor"]));
        Assert.Equal(resnetBefore, resnet);

        // The tiny clip model records no value_info: its "pooled" tensor has no shape to copy.
        var clip = ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyClipPath));
        Assert.Contains(clip.Graph.Node, n => n.Output.Contains("pooled"));
        Assert.Empty(OnnxGraphEdits.ExposeOutputs(clip, ["pooled"]));
        Assert.Equal(["logits"], clip.Graph.Output.Select(o => o.Name));
    }

    [Fact]
    public void A_round_trip_with_no_edit_gives_the_same_model_and_the_same_outputs()
    {
        var bytes = File.ReadAllBytes(ResNet18.ModelPath);
        var parsed = ModelProto.Parser.ParseFrom(bytes);

        var written = parsed.ToByteArray();

        Assert.Equal(parsed, ModelProto.Parser.ParseFrom(written));
        using var original = new InferenceSession(bytes);
        using var roundTripped = new InferenceSession(written);
        var items = RandomItems(1, seed: 2);
        AssertClose(Run(original, items, Embedding), Run(roundTripped, items, Embedding));
    }

    [Fact]
    public void The_tiny_clip_model_round_trips_to_the_same_message()
    {
        var parsed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyClipPath));

        Assert.Equal(parsed, ModelProto.Parser.ParseFrom(parsed.ToByteArray()));
        Assert.Equal(2, parsed.Graph.Node.Count);
    }

    [Fact]
    public void Both_edits_keep_every_node_and_initializer_of_the_original()
    {
        var original = ReadResNet18();
        var model = original.Clone();

        OnnxGraphEdits.ExposeOutputs(model, [FeatureMap]);
        OnnxGraphEdits.MakeBatchSymbolic(model);
        var edited = ModelProto.Parser.ParseFrom(model.ToByteArray());

        Assert.NotEmpty(original.Graph.Node);
        Assert.NotEmpty(original.Graph.Initializer);
        Assert.Equal(original.Graph.Node, edited.Graph.Node);
        Assert.Equal(original.Graph.Initializer, edited.Graph.Initializer);
        Assert.Equal(original.OpsetImport, edited.OpsetImport);
        Assert.Equal(original.IrVersion, edited.IrVersion);
    }

    [Fact]
    public void A_file_that_is_not_an_onnx_model_is_left_to_onnx_runtime()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("broken.onnx", "not an ONNX file");

        Assert.Null(OnnxGraphEdits.TryRead(path));
        Assert.Null(OnnxGraphEdits.TryRead(dir.File("missing.onnx")));
    }

    private static ModelProto ReadResNet18()
    {
        var model = OnnxGraphEdits.TryRead(ResNet18.ModelPath);
        Assert.NotNull(model);
        return model;
    }

    private static void AssertBatchSymbolic(ValueInfoProto value)
    {
        var batch = value.Type.TensorType.Shape.Dim[0];
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam, batch.ValueCase);
        Assert.Equal(OnnxGraphEdits.BatchDimension, batch.DimParam);
    }

    private static float[][] RandomItems(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, ItemElements).Select(_ => (float)((random.NextDouble() * 255) - 128)).ToArray())];
    }

    private static float[] Run(InferenceSession session, float[][] items, string output) => RunAll(session, items, [output])[0];

    private static float[][] RunAll(InferenceSession session, float[][] items, string[] outputs)
    {
        float[] input = [.. items.SelectMany(i => i)];
        using var value = OrtValue.CreateTensorValueFromMemory(input, [items.Length, 3, 224, 224]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [Input], [value], outputs);
        return [.. results.Select(r => r.GetTensorDataAsSpan<float>().ToArray())];
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"value {i}: expected {expected[i]}, got {actual[i]} (tolerance {Tolerance})");
        }
    }
}
