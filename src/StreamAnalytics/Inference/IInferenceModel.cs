namespace StreamAnalytics.Inference;

/// <summary>
/// What <see cref="InferenceStage"/> runs its batches on: the local ONNX session (<see cref="OnnxModel"/>) or a
/// KServe v2 endpoint such as Triton (<see cref="Remote.RemoteModel"/>). The stage fills input items, runs
/// the first N and reads output items back, so batching and outputs are the same either way.
/// </summary>
internal interface IInferenceModel
{
    ModelManifest Manifest { get; }

    /// <summary>Where runs happen, for the start-up log: <c>cpu</c>, <c>cuda</c>, or the remote endpoint.</summary>
    string ExecutionProvider { get; }

    /// <summary>Items per run.</summary>
    int MaxBatch { get; }

    /// <summary>Elements per batch item of each manifest output, in manifest order.</summary>
    IReadOnlyList<int> OutputItemSizes { get; }

    /// <summary>Batch item <paramref name="index"/> of the input buffer.</summary>
    Span<float> InputItem(int index);

    /// <summary>Batch item <paramref name="index"/> of output <paramref name="output"/> from the last run.</summary>
    ReadOnlySpan<float> OutputItem(int output, int index);

    /// <summary>
    /// Runs the first <paramref name="count"/> items of the input buffer; returns how long the model took. A local
    /// model runs on the calling thread and completes synchronously (nothing allocated); a remote one awaits the
    /// network. Throws when the run fails: the caller drops that batch.
    /// </summary>
    ValueTask<TimeSpan> RunAsync(int count, CancellationToken cancellationToken);
}
