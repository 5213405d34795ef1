namespace StreamAnalytics.Windowing;

/// <summary>How one frame becomes a model's planar float tensor: size, channel order and normalisation.</summary>
internal sealed record FrameTensorFormat
{
    public FrameTensorFormat(int width, int height, ColorOrder colorOrder, float scale, float[] mean, float[] std)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (mean.Length != Channels || std.Length != Channels || std.Any(s => s == 0))
        {
            throw new ArgumentException("mean and std need 3 values each and std may not be 0.");
        }

        Width = width;
        Height = height;
        ColorOrder = colorOrder;
        Scale = scale;
        Mean = mean;
        Std = std;
    }

    public const int Channels = 3;

    public int Width { get; }

    public int Height { get; }

    public ColorOrder ColorOrder { get; }

    /// <summary>Applied to the 0..255 pixel value before the mean is subtracted.</summary>
    public float Scale { get; }

    public float[] Mean { get; }

    public float[] Std { get; }

    public int PlaneSize => Width * Height;

    public int ElementCount => Channels * PlaneSize;
}
