#!/usr/bin/env python3
"""Redaction's talk-off: what `touchtone redact` changes in audio with no DTMF in it.

Runs the redaction over every file of a talk-off corpus (as built by
../shared/tools/make-talkoff-corpus.sh: manifest.tsv at 8 kHz, rates/manifest.tsv at other
rates) and prints, per rate and profile, by category and by sub-source: the hours, the
replaced spans (every one is a false key: the corpus has no keys) and spans per hour, the
replaced audio in ms per hour, and the samples that changed (replaced samples whose stored
value differs from the input's) per hour.

    scripts/redact-talkoff.py CORPUS_DIR [--profile standard|relaxed|both] [--fill F]
                              [--jobs N] [--list]

--list also prints every span ("~ file start_ms-end_ms"). REDACT=/path/to/redact runs that
build of the redact example (or `touchtone`, with REDACT_ARGS=redact) instead of building
it with `cargo build --release --example redact`.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import shlex
import struct
import subprocess
import sys
import tempfile


def data_chunk(b):
    """(offset, length, block_align) of a RIFF/WAVE file's data chunk."""
    if b[:4] != b"RIFF" or b[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    at, align = 12, None
    while at + 8 <= len(b):
        cid, size = b[at:at + 4], struct.unpack("<I", b[at + 4:at + 8])[0]
        if cid == b"fmt ":
            align = struct.unpack("<H", b[at + 20:at + 22])[0]
        if cid == b"data":
            return at + 8, min(size, len(b) - at - 8), align
        at += 8 + size + (size & 1)
    raise ValueError("no data chunk")


def one(redact, extra, path, profile, fill, tmp):
    """Redact `path`; return (spans, replaced samples, changed samples, channels)."""
    out = os.path.join(tmp, f"{os.getpid()}-{abs(hash(path))}-{profile}.wav")
    rep = out + ".json"
    cmd = redact + extra + ["--profile", profile, "--fill", fill, "--report", rep, path, out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)}: {r.stderr.strip()}")
    with open(rep) as f:
        report = json.load(f)
    with open(path, "rb") as f:
        a = f.read()
    with open(out, "rb") as f:
        b = f.read()
    os.unlink(out)
    os.unlink(rep)
    off, length, align = data_chunk(a)
    ch = report["channels"]
    bps = align // ch
    frames = length // align
    spans, replaced, changed = [], 0, 0
    for s in report["spans"]:
        c, s0, s1 = s["channel"], s["start"], min(s["end"], frames)
        replaced += max(0, s1 - s0)
        for f in range(s0, s1):
            i = off + f * align + c * bps
            if a[i:i + bps] != b[i:i + bps]:
                changed += 1
        spans.append((s["start_ms"], s["end_ms"], c))
    return spans, replaced, changed, ch


def score(manifest, base, label, cols, redact, extra, profile, fill, jobs, listing):
    if not os.path.exists(manifest):
        return
    fc, sc, cc, uc = cols
    rows = []
    with open(manifest) as f:
        for n, line in enumerate(f):
            if n == 0:
                continue
            p = line.rstrip("\n").split("\t")
            rows.append((p[fc], float(p[sc]), p[cc], p[uc]))
    if not rows:
        return
    tot = collections.defaultdict(lambda: [0.0, 0, 0, 0])  # seconds, spans, replaced, changed
    lines = []
    rate = None
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        futs = {
            ex.submit(one, redact, extra, os.path.join(base, r[0]), profile, fill, tmp): r
            for r in rows
        }
        for fut in concurrent.futures.as_completed(futs):
            name, secs, cat, sub = futs[fut]
            spans, replaced, changed, ch = fut.result()
            for key in ("all", cat, f"{cat}/{sub}"):
                t = tot[key]
                t[0] += secs * ch
                t[1] += len(spans)
                t[2] += replaced
                t[3] += changed
            if listing:
                for s0, s1, c in spans:
                    lines.append(f"~ {name}: {s0:.0f}-{s1:.0f} ms ch {c}")
            if rate is None:
                with open(os.path.join(base, name), "rb") as f:
                    rate = struct.unpack("<I", f.read(64)[24:28])[0]
    rate = rate or 8000

    def row(key, t, indent):
        h = t[0] / 3600
        print(
            f"{indent}{key:<{34 - len(indent)}} {h:6.2f} h {t[1]:5d} spans {t[1] / h:7.1f}/h "
            f"{t[2] * 1000 / rate / h:8.0f} ms/h replaced {t[3] / h:9.0f} samples/h changed"
        )

    a = tot.pop("all")
    print(f"{label} Hz, profile {profile}, fill {fill}:")
    row("all", a, "  ")
    for key in sorted(k for k in tot if "/" not in k):
        row(key, tot[key], "  ")
        for sub in sorted(k for k in tot if k.startswith(key + "/")):
            row(sub, tot[sub], "    ")
    for line in sorted(lines):
        print(line)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--profile", default="both", choices=["standard", "relaxed", "both"])
    ap.add_argument("--fill", default="silence", choices=["silence", "noise"])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.environ.get("REDACT"):
        redact = [os.environ["REDACT"]]
        extra = shlex.split(os.environ.get("REDACT_ARGS", ""))
    else:
        subprocess.run(
            ["cargo", "build", "--release", "--example", "redact"], cwd=root, check=True,
            stdout=sys.stderr,
        )
        redact = [os.path.join(root, "target", "release", "examples", "redact")]
        extra = []
    profiles = ["standard", "relaxed"] if a.profile == "both" else [a.profile]
    corpus = os.path.abspath(a.corpus)
    for profile in profiles:
        # manifest.tsv: file seconds source_package category subsource
        score(os.path.join(corpus, "manifest.tsv"), corpus, "8000", (0, 1, 3, 4),
              redact, extra, profile, a.fill, a.jobs, a.list)
        # rates/manifest.tsv: file seconds source_package category rate_hz subsource
        rm = os.path.join(corpus, "rates", "manifest.tsv")
        if os.path.exists(rm):
            by_rate = collections.defaultdict(list)
            with open(rm) as f:
                head = f.readline()
                for line in f:
                    by_rate[line.split("\t")[4]].append(line)
            for rate in sorted(by_rate, key=int):
                with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as m:
                    m.write(head)
                    m.writelines(by_rate[rate])
                try:
                    score(m.name, os.path.join(corpus, "rates"), rate, (0, 1, 3, 5),
                          redact, extra, profile, a.fill, a.jobs, a.list)
                finally:
                    os.unlink(m.name)


if __name__ == "__main__":
    main()
