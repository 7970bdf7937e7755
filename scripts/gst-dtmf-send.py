#!/usr/bin/python3
"""Sends keys to a UDP port with GStreamer, for checking examples/listen by hand.

    scripts/gst-dtmf-send.py MODE PORT KEYS

MODE: `events` (rtpdtmfsrc, RFC 4733), `inband` (dtmfsrc -> mulawenc -> rtppcmupay), or
`both` (the two with one SSRC and timestamp base, to one port). Each key is held 300 ms, 300 ms apart (rtpdtmfsrc lengthens shorter events
and queues them).
Needs Debian's gstreamer1.0-plugins-good and python3-gi (run with /usr/bin/python3).
"""
import sys, time
import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst

mode, port, keys = sys.argv[1], int(sys.argv[2]), sys.argv[3]
Gst.init(None)
sink = f"udpsink host=127.0.0.1 port={port}"
events = "rtpdtmfsrc name=ev pt=101 packet-redundancy=3"
tones = "dtmfsrc name=tone ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay"
desc = {
    "events": f"{events} ! {sink}",
    "inband": f"{tones} ! {sink}",
    "both": f"{tones} ssrc=1234 timestamp-offset=0 ! {sink}  "
            f"{events} ssrc=1234 timestamp-offset=0 ! {sink}",
}[mode]
pipe = Gst.parse_launch(desc)
srcs = [pipe.get_by_name(n) for n in ("ev", "tone") if pipe.get_by_name(n)]
pipe.set_state(Gst.State.PLAYING)
time.sleep(0.5)
codes = {c: i for i, c in enumerate("0123456789*#ABCD")}
for k in keys:
    for start in (True, False):
        s = Gst.Structure.new_from_string(
            f"dtmf-event, type=(int)1, number=(int){codes[k]}, volume=(int)10, "
            f"start=(boolean){'true' if start else 'false'}")
        for src in srcs:
            src.get_static_pad("src").send_event(Gst.Event.new_custom(Gst.EventType.CUSTOM_UPSTREAM, s.copy()))
        time.sleep(0.3)
time.sleep(1.0)
pipe.set_state(Gst.State.NULL)
