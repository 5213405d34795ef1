#!/usr/bin/python3
"""Loopback RTSP test server: serves H.264 MP4 files without re-encoding, looping forever.

Usage: /usr/bin/python3 rtsp_server.py --port 8554 --mount /cam1=/path/a.mp4 [--mount /cam2=/path/b.mp4]

Prints READY on stdout once listening on 127.0.0.1. Each client gets its own pipeline
(set_shared(False)); looping uses non-flushing segment seeks so RTP timestamps keep increasing.
"""

import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)


class LoopingMedia(GstRtspServer.RTSPMedia):
    """RTSPMedia that turns end-of-file into a segment seek back to the start.

    Segment seeks only loop once the pipeline runs in segment mode, so every preroll or
    flushing seek that is not ours (a client's PLAY with a Range) is followed by a flushing
    segment seek to the current position.
    """

    def __init__(self):
        super().__init__()
        self._own_seek_pending = False

    def _pipeline(self):
        element = self.get_element()
        parent = element.get_parent() if element is not None else None
        return parent if parent is not None else element

    def _segment_seek(self, position, flush):
        pipeline = self._pipeline()
        if pipeline is None:
            return False
        flags = Gst.SeekFlags.SEGMENT
        if flush:
            flags |= Gst.SeekFlags.FLUSH
        return pipeline.seek(
            1.0, Gst.Format.TIME, flags, Gst.SeekType.SET, position, Gst.SeekType.NONE, -1
        )

    def _enter_segment_mode(self):
        pipeline = self._pipeline()
        ok, position = pipeline.query_position(Gst.Format.TIME) if pipeline else (False, 0)
        self._own_seek_pending = self._segment_seek(position if ok and position > 0 else 0, True)

    def _active(self):
        return self.get_status() == GstRtspServer.RTSPMediaStatus.PREPARED

    def _later(self, action):
        # Seeking from inside the bus handler, while a client that went away is being torn down, can
        # deadlock the server's main loop: every later client then gets a closed connection.
        def run():
            if self._active():
                action()
            return GLib.SOURCE_REMOVE

        GLib.idle_add(run)

    def do_handle_message(self, message):
        if message.type == Gst.MessageType.SEGMENT_DONE:
            self._later(lambda: self._segment_seek(0, flush=False))
            return True
        if message.type == Gst.MessageType.ASYNC_DONE:
            if self._own_seek_pending:
                self._own_seek_pending = False
            else:
                self._later(self._enter_segment_mode)
        return GstRtspServer.RTSPMedia.do_handle_message(self, message)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
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
    return args.port, mounts


def make_factory(path):
    factory = GstRtspServer.RTSPMediaFactory.new()
    location = path.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(
        f'( filesrc location="{location}" ! qtdemux ! h264parse ! '
        "rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(False)
    factory.set_media_gtype(LoopingMedia)
    factory.set_transport_mode(GstRtspServer.RTSPTransportMode.PLAY)
    return factory


def main(argv):
    port, mounts = parse_args(argv)

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
