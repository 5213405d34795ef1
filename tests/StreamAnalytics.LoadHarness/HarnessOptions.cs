using System.Globalization;

namespace StreamAnalytics.LoadHarness;

/// <summary>Command-line options of the load harness.</summary>
internal sealed class HarnessOptions
{
    public const string Usage = """
        Usage: StreamAnalytics.LoadHarness [options]

        Runs the real pipeline (in-process, hosted as the executable hosts it) against N RTSP cameras served
        from a loopback gst-rtsp-server, and prints one Markdown table row with what it measured.

          --cameras N          cameras, each its own RTSP session of the same clip (1)
          --seconds S          measured seconds, after the warm-up (60)
          --warmup W           seconds before measuring: connect, load, calibrate (15)
          --length T           Window.Length (appsettings.json)
          --subsample K        Window.Subsample (appsettings.json)
          --hop H              Window.Hop (appsettings.json)
          --width W --height H decode size (the camera's own size)
          --clip PATH          an H.264 MP4 to serve; default: a generated 720p clip (see --source)
          --source NAME        generated clip: ucsd (UCSD Ped2 train videos, real footage, default),
                               fight (surveillance fight clips), testsrc (ffmpeg's synthetic testsrc2)
          --fps F              frame rate of the generated clip (15)
          --threshold X        fixed anomaly threshold, so events flow (0)
          --calibration N      anomaly calibration windows (2)
          --decode-seconds D   seconds for the reference decode (= --seconds); 0 skips it
          --set KEY=VALUE      any configuration override, e.g. --set StreamAnalytics:Model:IntraOpThreads=1
          --log-level LEVEL    pipeline log level on stderr (Warning)
          --out FILE           also append the table row to FILE
          --alloc-types        log the managed types allocated while measuring (sampled; costs a little CPU)
        """;

    public int Cameras { get; private set; } = 1;

    public double Seconds { get; private set; } = 60;

    public double Warmup { get; private set; } = 15;

    public int? Length { get; private set; }

    public int? Subsample { get; private set; }

    public int? Hop { get; private set; }

    public int? Width { get; private set; }

    public int? Height { get; private set; }

    public string? Clip { get; private set; }

    public string Source { get; private set; } = "ucsd";

    public int Fps { get; private set; } = 15;

    public double Threshold { get; private set; }

    public int Calibration { get; private set; } = 2;

    public double? DecodeSeconds { get; private set; }

    public List<KeyValuePair<string, string?>> Overrides { get; } = [];

    public string LogLevel { get; private set; } = "Warning";

    public string? Out { get; private set; }

    public bool Help { get; private set; }

    public bool AllocationTypes { get; private set; }

    public static HarnessOptions Parse(string[] args)
    {
        var o = new HarnessOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{name} needs a value.");
                }

                return args[++i];
            }

            int Int() => int.Parse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            double Double() => double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture);

            switch (name)
            {
                case "--cameras": o.Cameras = Int(); break;
                case "--seconds": o.Seconds = Double(); break;
                case "--warmup": o.Warmup = Double(); break;
                case "--length": o.Length = Int(); break;
                case "--subsample": o.Subsample = Int(); break;
                case "--hop": o.Hop = Int(); break;
                case "--width": o.Width = Int(); break;
                case "--height": o.Height = Int(); break;
                case "--clip": o.Clip = Path.GetFullPath(Value()); break;
                case "--source": o.Source = Value(); break;
                case "--fps": o.Fps = Int(); break;
                case "--threshold": o.Threshold = Double(); break;
                case "--calibration": o.Calibration = Int(); break;
                case "--decode-seconds": o.DecodeSeconds = Double(); break;
                case "--log-level": o.LogLevel = Value(); break;
                case "--out": o.Out = Path.GetFullPath(Value()); break;
                case "--set":
                    var pair = Value();
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException($"--set expects KEY=VALUE (got '{pair}').");
                    }

                    o.Overrides.Add(new(pair[..eq], pair[(eq + 1)..]));
                    break;
                case "--alloc-types": o.AllocationTypes = true; break;
                case "--help" or "-h": o.Help = true; break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        if (o.Cameras < 1 || o.Seconds <= 0 || o.Warmup < 0 || o.Fps < 1)
        {
            throw new ArgumentException("--cameras and --fps must be at least 1, --seconds positive, --warmup not negative.");
        }

        if (o.Source is not ("ucsd" or "fight" or "testsrc"))
        {
            throw new ArgumentException($"--source must be ucsd, fight or testsrc (got '{o.Source}').");
        }

        return o;
    }
}
