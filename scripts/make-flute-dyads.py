#!/usr/bin/env python3
"""Render flute and pan-flute dyads tuned onto DTMF pairs (a talk-off test clip).

Each dyad plays two General-MIDI notes, each on its own channel and pitch-bent so that it
sounds within 1 % of a row and a column frequency of a key (inside the +-1.5 % a receiver
must accept, so only the notes' attack tells them from a key). Writes a MIDI file and
renders it with fluidsynth and the FluidR3_GM soundfont (Debian: fluidsynth,
fluid-soundfont-gm; MIT licence) at 8 kHz, reverb and chorus off:

    scripts/make-flute-dyads.py OUT.wav [--sf2 /usr/share/sounds/sf2/FluidR3_GM.sf2]

testdata/flute-dyads-8k.wav was made with it. Needs python3 (standard library only).
"""
import argparse
import math
import os
import struct
import subprocess
import tempfile
import wave

ROWS = [697, 770, 852, 941]
COLS = [1209, 1336, 1477, 1633]
KEYS = "123A456B789C*0#D"
# (key, program, low offset %, high offset %): flute 73, pan flute 75.
DYADS = [
    ("5", 73, +0.6, -0.8), ("B", 73, +0.9, +0.7), ("6", 73, +0.8, -0.2),
    ("3", 73, +0.5, +0.4), ("2", 73, -0.3, -0.9), ("0", 73, -0.7, -0.9),
    ("5", 75, +0.9, -0.9), ("B", 75, +0.8, +0.8), ("6", 75, +0.9, -0.1),
    ("2", 75, -0.1, -0.9), ("9", 75, +0.9, -0.6), ("4", 75, +0.4, +0.9),
]
TPQ = 480          # ticks per quarter note; tempo 120 bpm: 960 ticks a second
NOTE_S, GAP_S = 0.35, 0.3
BEND_RANGE = 2.0   # semitones (the General-MIDI default)


def var(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def note_and_bend(freq):
    """Nearest MIDI note and the 14-bit pitch bend that moves it onto freq."""
    semis = 12 * math.log2(freq / 440.0) + 69
    note = round(semis)
    bend = round(8192 + (semis - note) / BEND_RANGE * 8192)
    return note, max(0, min(16383, bend))


def midi():
    ev = []  # (tick, order, bytes)
    t = 0.5
    for i, (key, prog, dlo, dhi) in enumerate(DYADS):
        k = KEYS.index(key)
        freqs = (ROWS[k // 4] * (1 + dlo / 100), COLS[k % 4] * (1 + dhi / 100))
        a, b = round(t * 960), round((t + NOTE_S) * 960)
        for ch, f in enumerate(freqs):
            ch += 2 * (i % 2)
            note, bend = note_and_bend(f)
            ev += [
                (a - 20, 0, bytes([0xC0 | ch, prog])),
                (a - 10, 1, bytes([0xE0 | ch, bend & 0x7F, bend >> 7])),
                (a - 10, 2, bytes([0xB0 | ch, 91, 0])),  # reverb send off
                (a - 10, 3, bytes([0xB0 | ch, 93, 0])),  # chorus send off
                (a, 4, bytes([0x90 | ch, note, 100])),
                (b, 5, bytes([0x80 | ch, note, 0])),
            ]
        t += NOTE_S + GAP_S
    ev.sort(key=lambda e: (e[0], e[1]))
    track, last = b"", 0
    for tick, _, data in ev:
        track += var(tick - last) + data
        last = tick
    track += var(960) + b"\xff\x2f\x00"
    head = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TPQ)
    return head + b"MTrk" + struct.pack(">I", len(track)) + track


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--sf2", default="/usr/share/sounds/sf2/FluidR3_GM.sf2")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        mid = os.path.join(d, "dyads.mid")
        with open(mid, "wb") as f:
            f.write(midi())
        stereo = os.path.join(d, "dyads.wav")
        subprocess.run(["fluidsynth", "-ni", "-R", "0", "-C", "0", "-g", "0.5", "-r", "8000",
                        "-F", stereo, "-O", "s16", "-T", "wav", a.sf2, mid], check=True,
                       stdout=subprocess.DEVNULL)
        with wave.open(stereo) as w:
            assert w.getnchannels() == 2 and w.getsampwidth() == 2
            raw = w.readframes(w.getnframes())
        lr = struct.unpack("<%dh" % (len(raw) // 2), raw)
        mono = [(lr[i] + lr[i + 1]) // 2 for i in range(0, len(lr), 2)]
        with wave.open(a.out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(struct.pack("<%dh" % len(mono), *mono))
    print(a.out)


if __name__ == "__main__":
    main()
