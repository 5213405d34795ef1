#!/usr/bin/python3
"""Loopback RTSP test server: serves H.264 MP4 files without re-encoding, as long-running streams.

Usage: /usr/bin/python3 rtsp_server.py --port 8554 --mount /cam1=/path/a.mp4 [--mount /cam2=/path/b.mp4]
                                       [--loop-seconds 600]

Prints READY on stdout once listening on 127.0.0.1. Each client gets its own pipeline
(set_shared(False)) reading a copy of its file looped to at least --loop-seconds by ffmpeg's stream
copy (timestamps keep increasing across the joins). The copies are cached under the temp folder, keyed
by the file's path, size, mtime and the length, so restarts reuse them.

Why not loop inside GStreamer: that needed a Python RTSPMedia subclass whose message handler ran on the
media's thread holding the GIL; a client leaving at the wrong moment then deadlocked the server's main
loop, and every later client on every mount got a closed connection ("Invalid data found").
"""

import argparse
import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)

CACHE = os.path.join(tempfile.gettempdir(), "sa-rtsp-loops")


def duration_of(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", path],
        check=True, capture_output=True, text=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def looped_copy(path, seconds):
    """A copy of PATH repeated to at least SECONDS long (the file itself when it already is)."""
    duration = duration_of(path)
    repeats = max(0, math.ceil(seconds / duration) - 1)
    if repeats == 0:
        return path
    stat = os.stat(path)
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{repeats}".encode()).hexdigest()[:24]
    target = os.path.join(CACHE, f"{key}.mp4")
    if os.path.isfile(target):
        return target
    os.makedirs(CACHE, exist_ok=True)
    partial = f"{target}.{os.getpid()}.part"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", str(repeats), "-i", path,
         "-map", "0:v:0", "-c", "copy", "-f", "mp4", partial],
        check=True,
    )
    # Another server may have written the same copy meanwhile: either file is the same, and rename is atomic.
    os.replace(partial, target)
    return target


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--loop-seconds",
        type=float,
        default=600,
        help="serve each file looped to at least this long; a client past the end gets end of stream",
    )
    parser.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="/NAME=PATH",
        help="serve the H.264 MP4 at PATH at rtsp://127.0.0.1:PORT/NAME (repeatable)",
    )
    args = parser.parse_args(argv)
    if not args.mount:
        parser.error("at least one --mount is required")
    mounts = {}
    for spec in args.mount:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            parser.error(f"bad --mount {spec!r}, expected /NAME=PATH")
        if not name.startswith("/"):
            name = "/" + name
        if not os.path.isfile(path):
            parser.error(f"--mount {spec!r}: no such file {path!r}")
        mounts[name] = os.path.abspath(path)
    return args.port, args.loop_seconds, mounts


def make_factory(path):
    factory = GstRtspServer.RTSPMediaFactory.new()
    location = path.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(
        f'( filesrc location="{location}" ! qtdemux ! h264parse ! '
        "rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(False)
    factory.set_transport_mode(GstRtspServer.RTSPTransportMode.PLAY)
    return factory


def main(argv):
    port, loop_seconds, mounts = parse_args(argv)
    mounts = {name: looped_copy(path, loop_seconds) for name, path in mounts.items()}

    server = GstRtspServer.RTSPServer.new()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    mount_points = server.get_mount_points()
    for name, path in mounts.items():
        mount_points.add_factory(name, make_factory(path))

    loop = GLib.MainLoop()

    def stop(*_):
        loop.quit()
        return GLib.SOURCE_REMOVE

    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, stop)

    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{port}", file=sys.stderr, flush=True)
        return 1
    print("READY", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
