#!/usr/bin/python3
# A small RTSP server that accepts RECORD (what MediaMTX does for a publisher) and writes the H.264
# it receives into an MPEG-TS file (unbuffered, so a killed server leaves what it got), on
# 127.0.0.1. Built on gst-rtsp-server from Debian 12 (apt-get install gir1.2-gst-rtsp-server-1.0
# python3-gi gstreamer1.0-plugins-good gstreamer1.0-plugins-bad); Debian 12 has no MediaMTX.
# The README tour publishes to it; plugin-sink-video's StreamTest uses it as its RTSP server.
# Usage: rtsp-record-server.py PORT PATH OUTPUT.ts ; prints "listening" when it accepts, e.g.
#   python3 rtsp-record-server.py 8554 /vm1 /tmp/vm1.ts   (publish to rtsp://127.0.0.1:8554/vm1)
import sys
import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib

port, path, output = sys.argv[1], sys.argv[2], sys.argv[3]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
factory.set_launch('( rtph264depay name=depay0 ! h264parse ! mpegtsmux ! filesink buffer-mode=2 location='
                   + output + ' )')
factory.set_shared(True)
factory.set_latency(0)
server.get_mount_points().add_factory(path, factory)
if server.attach(None) == 0:
    print('cannot listen on port ' + port, flush=True)
    sys.exit(1)
print('listening', flush=True)
GLib.MainLoop().run()
