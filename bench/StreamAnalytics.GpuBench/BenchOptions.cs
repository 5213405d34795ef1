using System.Globalization;

namespace StreamAnalytics.GpuBench;

/// <summary>Command-line options of the throughput benchmark.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Usage: StreamAnalytics.GpuBench --manifest PATH [options]

        Loads a model through the product's own OnnxModel.Load (CUDA with its CPU fallback warning, the
        symbolic-batch rewrite, pinned host buffers bound once per batch size), fills random inputs, warms
        up, then runs each batch size for a fixed time and prints items/s (frames/s for an NCHW encoder,
        clips/s for an NCTHW clip model) as a Markdown table, with the machine and the exact command.

          --manifest PATH        model.json (required)
          --provider P           cuda or cpu (cuda)
          --batches LIST         batch sizes, comma-separated (1,8,32)
          --seconds S            measured seconds per batch size (20)
          --warmup S             warm-up seconds per batch size, at least 3 runs (2)
          --device N             CUDA device id (0)
          --threads N            ONNX Runtime intra-op threads, 0 = ORT decides (0)
          --require-provider     exit 3 if the session did not end up on --provider (a CUDA fallback)
          --check-sample         if the export wrote sample-*.f32 (export.py --sample), run that batch
                                 first and report the difference from PyTorch's float32 logits
          --pytorch              also run the same architecture in PyTorch eager (needs export.json
                                 from models/torchvision-video/export.py), same batches and seconds
          --pytorch-dtype D      fp16 or fp32 (fp16)
          --pytorch-device D     cuda or cpu (cuda)
          --python PATH          Python with torch and torchvision (/usr/bin/python3)
          --out FILE             also append the Markdown report to FILE

        PyTorch runs in a child process after the ONNX Runtime session is disposed. LD_LIBRARY_PATH is
        removed from its environment (with CUDA 13's folder on it PyTorch picks the wrong cuDNN), unless
        GPUBENCH_PYTORCH_LD_LIBRARY_PATH is set, whose value it then gets instead.
        """;

    public string Manifest { get; private set; } = string.Empty;

    public string Provider { get; private set; } = "cuda";

    public IReadOnlyList<int> Batches { get; private set; } = [1, 8, 32];

    public double Seconds { get; private set; } = 20;

    public double Warmup { get; private set; } = 2;

    public int Device { get; private set; }

    public int Threads { get; private set; }

    public bool RequireProvider { get; private set; }

    public bool CheckSample { get; private set; }

    public bool PyTorch { get; private set; }

    public string PyTorchDtype { get; private set; } = "fp16";

    public string PyTorchDevice { get; private set; } = "cuda";

    public string Python { get; private set; } = "/usr/bin/python3";

    public string? Out { get; private set; }

    public bool Help { get; private set; }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "--manifest":
                    options.Manifest = Value();
                    break;
                case "--provider":
                    options.Provider = OneOf(arg, Value(), "cuda", "cpu");
                    break;
                case "--batches":
                    options.Batches = ParseBatches(Value());
                    break;
                case "--seconds":
                    options.Seconds = Positive(arg, Value());
                    break;
                case "--warmup":
                    options.Warmup = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--device":
                    options.Device = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--threads":
                    options.Threads = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--require-provider":
                    options.RequireProvider = true;
                    break;
                case "--check-sample":
                    options.CheckSample = true;
                    break;
                case "--pytorch":
                    options.PyTorch = true;
                    break;
                case "--pytorch-dtype":
                    options.PyTorchDtype = OneOf(arg, Value(), "fp16", "fp32");
                    break;
                case "--pytorch-device":
                    options.PyTorchDevice = OneOf(arg, Value(), "cuda", "cpu");
                    break;
                case "--python":
                    options.Python = Value();
                    break;
                case "--out":
                    options.Out = Value();
                    break;
                case "-h" or "--help":
                    options.Help = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{arg}'.");
            }
        }

        if (!options.Help && options.Manifest.Length == 0)
        {
            throw new ArgumentException("--manifest is required.");
        }

        return options;
    }

    private static List<int> ParseBatches(string text)
    {
        var batches = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--batches: '{b}' is not a positive whole number."))
            .Distinct()
            .ToList();
        return batches.Count > 0 ? batches : throw new ArgumentException("--batches needs at least one batch size.");
    }

    private static double Positive(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} must be a positive number (got '{text}').");

    private static string OneOf(string option, string value, params string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal) ? value : throw new ArgumentException($"{option} must be {string.Join(" or ", allowed)} (got '{value}').");
}
