#!/usr/bin/env python3
"""Talk-down on a talk-off corpus: keys placed over its music and speech, 5 dB above them.

Each 8 kHz file of the chosen categories of a corpus built by
../shared/tools/make-talkoff-corpus.sh is taken as a background. Keys of 80 ms (all
sixteen in turn, both tones equal, nominal frequencies) are placed 250-400 ms apart where
the background is active (its RMS over the key's span within 10 dB of its loudest 80 ms),
each SNR dB above the background's RMS over its own span (the pair's RMS is one tone's
peak), as the talk-down tests in tests/field.rs do with their two short clips. The mix is
decoded and each key scored: exact (one key reported over it, the right one), or missed;
keys reported where none was placed are extras (the background's own talk-off included).

    scripts/talkdown.py CORPUS_DIR [--profile standard|relaxed] [--snr DB]
                        [--categories music,speech] [--decoder PATH] [--seed N]

Prints one line per category and the total. Needs python3 with numpy.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import wave

import numpy as np

ROWS = [697, 770, 852, 941]
COLS = [1209, 1336, 1477, 1633]
KEYS = "123A456B789C*0#D"
RATE = 8000


def read(path):
    with wave.open(path) as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            return None
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


def place(x, snr_db, rng):
    """The mix and the truth [(start, end, key)] in samples."""
    span = int(0.080 * RATE)
    rms = lambda a: float(np.sqrt(np.mean(x[a:a + span] ** 2)))
    loudest = max((rms(a) for a in range(0, len(x) - span, span)), default=0.0)
    y = x.copy()
    truth = []
    at = int(0.2 * RATE)
    i = 0
    n = np.arange(span) / RATE
    while loudest > 0 and at + int(0.3 * RATE) < len(x):
        local = rms(at)
        if local >= loudest * 0.316:
            key = KEYS[i % 16]
            r, c = divmod(KEYS.index(key), 4)
            amp = local * 10 ** (snr_db / 20)
            ph = (rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi))
            y[at:at + span] += amp * (np.sin(2 * np.pi * ROWS[r] * n + ph[0])
                                      + np.sin(2 * np.pi * COLS[c] * n + ph[1]))
            truth.append((at, at + span, key))
            i += 1
            at += int(rng.uniform(0.250, 0.400) * RATE)
        else:
            at += int(0.020 * RATE)
    return np.clip(np.round(y), -32768, 32767).astype("<i2"), truth


def decode(decoder, profile, y, tmp):
    path = os.path.join(tmp, "mix.wav")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(y.tobytes())
    out = subprocess.run([decoder, "--profile", profile, path], capture_output=True,
                         text=True, check=True).stdout
    keys = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3 and f[2] in KEYS:
            keys.append((int(f[0]) * RATE // 1000, int(f[1]) * RATE // 1000, f[2]))
    return keys


def score(truth, got, tol):
    used = set()
    exact = 0
    for (a, b, key) in truth:
        over = [j for j, (s, e, _) in enumerate(got) if s < b + tol and e > a - tol]
        used.update(over)
        if len(over) == 1 and got[over[0]][2] == key:
            exact += 1
    return exact, len(got) - len(used)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--profile", default="standard")
    ap.add_argument("--snr", type=float, default=5.0)
    ap.add_argument("--categories", default="music,speech")
    ap.add_argument("--decoder", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "examples", "decode"))
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    if not os.access(a.decoder, os.X_OK):
        sys.exit(f"error: decoder {a.decoder} not found (cargo build --release --example decode)")
    tol = int(0.015 * RATE)
    total = [0, 0, 0]
    with tempfile.TemporaryDirectory(prefix="talkdown.") as tmp:
        for cat in a.categories.split(","):
            d = os.path.join(a.corpus, cat)
            if not os.path.isdir(d):
                sys.exit(f"error: {d} is not a directory")
            rng = random.Random(a.seed)
            ex = placed = extra = 0
            for name in sorted(os.listdir(d)):
                if not name.endswith(".wav"):
                    continue
                x = read(os.path.join(d, name))
                if x is None:
                    continue
                y, truth = place(x, a.snr, rng)
                e, x_extra = score(truth, decode(a.decoder, a.profile, y, tmp), tol)
                ex, placed, extra = ex + e, placed + len(truth), extra + x_extra
            pct = 100.0 * ex / placed if placed else 0.0
            print(f"{cat}: {ex} of {placed} keys exact ({pct:.1f} %), {extra} extra")
            total = [total[0] + ex, total[1] + placed, total[2] + extra]
    pct = 100.0 * total[0] / total[1] if total[1] else 0.0
    print(f"total ({a.profile}, {a.snr:g} dB): {total[0]} of {total[1]} keys exact "
          f"({pct:.1f} %), {total[2]} extra")


if __name__ == "__main__":
    main()
