namespace StreamAnalytics.Windowing;

/// <summary>
/// A sampled frame already converted to the model's tensor format, shared by every window that
/// overlaps it (reference counted). A per-frame encoder stores its outputs here, so each frame is
/// encoded once however many windows reuse it.
/// </summary>
internal sealed class FrameSlot
{
    private readonly FrameSlotPool _pool;
    private Buffers.ReferenceCount _references;

    internal FrameSlot(FrameSlotPool pool, int elementCount, int frameHeads)
    {
        _pool = pool;
        Tensor = GC.AllocateUninitializedArray<float>(elementCount, pinned: true);
        HeadScores = new double[frameHeads];
    }

    /// <summary>Channels × Height × Width, planar.</summary>
    public float[] Tensor { get; }

    public long Sequence { get; internal set; }

    public DateTimeOffset CaptureTime { get; internal set; }

    /// <summary>Per-frame model outputs, concatenated; valid when <see cref="HasFeatures"/>.</summary>
    public float[]? Features { get; private set; }

    public bool HasFeatures { get; private set; }

    /// <summary>
    /// Per frame head of the camera, in its order: the head's highest score over the decoded frames since the
    /// previous sampled frame (this one included), so a window's score covers every frame it spans; NaN where
    /// the head scored none of them.
    /// </summary>
    public double[] HeadScores { get; }

    public int References => _references.Value;

    public Span<float> EnsureFeatures(int length)
    {
        if (Features is null || Features.Length != length)
        {
            Features = new float[length];
        }

        return Features;
    }

    public void MarkFeaturesReady() => HasFeatures = true;

    internal void Activate()
    {
        HasFeatures = false;
        Array.Fill(HeadScores, double.NaN);
        _references.Reset();
    }

    public void AddReference() => _references.Add();

    public void Release()
    {
        if (_references.Release(nameof(FrameSlot)))
        {
            _pool.Return(this);
        }
    }
}
