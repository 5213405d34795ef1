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

        Soak mode (see SoakRun.cs): N looping cameras (UCSD Ped2 test clips, 320x240, window 4/4/4 unless
        given), an external mosquitto, faults injected in turn (RTSP server SIGKILL, broker SIGTERM), samples
        every 10 s, then a drain and a report (CSV + Markdown):
          --soak               run the soak instead of the load measurement
          --minutes M          soak length in minutes (10)
          --fault-every S      seconds between two faults (60)
          --sample-every S     seconds between two samples (10)
          --out-dir DIR        where soak-samples.csv, soak-summary.md, soak-fds.csv, soak-smaps.csv and
                               mosquitto.log go (a new folder in the temp folder)
          --cameras, --width/--height, --length/--subsample/--hop, --threshold, --calibration, --clip,
          --set and --log-level apply as above.
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

    public bool Soak { get; private set; }

    public double Minutes { get; private set; } = 10;

    public double FaultEvery { get; private set; } = 60;

    public double SampleEvery { get; private set; } = 10;

    public string? OutDir { get; private set; }

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
                case "--soak": o.Soak = true; break;
                case "--minutes": o.Minutes = Double(); break;
                case "--fault-every": o.FaultEvery = Double(); break;
                case "--sample-every": o.SampleEvery = Double(); break;
                case "--out-dir": o.OutDir = Path.GetFullPath(Value()); break;
                case "--help" or "-h": o.Help = true; break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        if (o.Cameras < 1 || o.Seconds <= 0 || o.Warmup < 0 || o.Fps < 1)
        {
            throw new ArgumentException("--cameras and --fps must be at least 1, --seconds positive, --warmup not negative.");
        }

        if (o.Minutes <= 0 || o.FaultEvery <= 0 || o.SampleEvery <= 0)
        {
            throw new ArgumentException("--minutes, --fault-every and --sample-every must be positive.");
        }

        if (o.Source is not ("ucsd" or "fight" or "testsrc"))
        {
            throw new ArgumentException($"--source must be ucsd, fight or testsrc (got '{o.Source}').");
        }

        return o;
    }
}
