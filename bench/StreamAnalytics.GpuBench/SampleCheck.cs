using System.Globalization;
using System.Runtime.InteropServices;
using StreamAnalytics.Inference;

namespace StreamAnalytics.GpuBench;

/// <summary>
/// Runs the batch export.py wrote with <c>--sample</c> and compares ONNX Runtime's logits with PyTorch's
/// float32 ones: proves the export (and, on a GPU, the provider and a float16 variant) computes the same
/// network, not only that it runs.
/// </summary>
internal static class SampleCheck
{
    /// <summary>Largest |ORT − PyTorch| relative to the largest |PyTorch logit| that still passes.</summary>
    public const double Float32Tolerance = 1e-3;

    public const double Float16Tolerance = 3e-2;

    public sealed record Result(bool Passed, string Summary);

    public static Result Run(OnnxModel model, ModelManifest manifest, ExportInfo? export)
    {
        if (export?.Sample is not { } sample)
        {
            return new Result(false, "no sample: export the model with export.py --sample");
        }

        var itemLength = manifest.Input.ItemElementCount;
        var input = ReadFloats(sample.InputPath);
        var expected = ReadFloats(sample.LogitsPath);
        var classes = model.OutputItemSizes[0];
        if (input.Length != sample.Batch * itemLength || expected.Length != sample.Batch * classes)
        {
            return new Result(false, $"sample files do not match the model ({input.Length} input and {expected.Length} logit values for batch {sample.Batch})");
        }

        var actual = new float[expected.Length];
        for (var start = 0; start < sample.Batch; start += model.MaxBatch)
        {
            var count = Math.Min(model.MaxBatch, sample.Batch - start);
            for (var i = 0; i < count; i++)
            {
                input.AsSpan((start + i) * itemLength, itemLength).CopyTo(model.InputItem(i));
            }

            model.Run(count);
            for (var i = 0; i < count; i++)
            {
                model.OutputItem(0, i).CopyTo(actual.AsSpan((start + i) * classes, classes));
            }
        }

        var maxDiff = 0.0;
        var maxRef = 0.0;
        for (var k = 0; k < expected.Length; k++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[k] - expected[k]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[k]));
        }

        var sameTop1 = Enumerable.Range(0, sample.Batch).Count(i => ArgMax(actual.AsSpan(i * classes, classes)) == ArgMax(expected.AsSpan(i * classes, classes)));
        var relative = maxDiff / Math.Max(maxRef, 1e-12);
        var tolerance = export.Fp16 ? Float16Tolerance : Float32Tolerance;
        var passed = relative <= tolerance && actual.All(float.IsFinite);
        return new Result(passed, string.Create(
            CultureInfo.InvariantCulture,
            $"{(passed ? "passed" : "FAILED")}: batch {sample.Batch} against PyTorch float32, max |diff| {maxDiff:G3} (largest |logit| {maxRef:G3}, relative {relative:G3}, tolerance {tolerance:G2}), same top-1 class {sameTop1}/{sample.Batch}"));
    }

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
