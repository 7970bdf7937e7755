"""The Python package against generated truth: keys, edges (10 ms), levels (1 dB),
streaming against one-shot, files, gather presets and every error path."""

import pathlib
import wave

import numpy as np
import pytest

import touchtone

ALL_KEYS = "0123456789*#ABCD"
TONE_MS = 70.0
PAUSE_MS = 70.0


def truth_ms(i, tone_ms=TONE_MS, pause_ms=PAUSE_MS):
    """The generator's layout: a pause before each key, so key i starts after i + 1
    pauses and i tones."""
    start = pause_ms + i * (tone_ms + pause_ms)
    return start, start + tone_ms


def check_truth(
    presses, keys, level=-10.0, twist=0.0, tone_ms=TONE_MS, pause_ms=PAUSE_MS, edge_ms=10.0
):
    assert "".join(p.key for p in presses) == keys
    for i, p in enumerate(presses):
        start, end = truth_ms(i, tone_ms, pause_ms)
        assert abs(p.start_ms - start) <= edge_ms, (i, p)
        assert abs(p.end_ms - end) <= edge_ms, (i, p)
        assert abs(p.low_dbm0 - (level + twist / 2)) <= 1.0, (i, p)
        assert abs(p.high_dbm0 - (level - twist / 2)) <= 1.0, (i, p)


# Independent G.711 encoders (ITU-T G.711, the classic segment search), so that the
# bytes fed to the decoder do not come from the library under test.
def ulaw_encode(pcm):
    out = bytearray()
    for s in pcm.astype(np.int64):
        sign = 0x80 if s < 0 else 0
        mag = min(-s if s < 0 else s, 32635) + 0x84
        exponent = max(0, int(mag).bit_length() - 8)
        mantissa = (mag >> (exponent + 3)) & 0x0F
        out.append(~(sign | (exponent << 4) | mantissa) & 0xFF)
    return bytes(out)


def alaw_encode(pcm):
    seg_end = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]
    out = bytearray()
    for s in pcm.astype(np.int64):
        v = int(s) >> 3
        if v >= 0:
            mask = 0xD5
        else:
            mask = 0x55
            v = -v - 1
        seg = next((i for i, e in enumerate(seg_end) if v <= e), 8)
        if seg >= 8:
            out.append(0x7F ^ mask)
            continue
        aval = seg << 4
        aval |= ((v >> 1) if seg < 2 else (v >> seg)) & 0x0F
        out.append(aval ^ mask)
    return bytes(out)


def write_wav(path, rate, channels):
    frames = np.stack(channels, axis=1).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames.tobytes())


@pytest.mark.parametrize("rate", [8000, 11025, 16000, 22050, 44100, 48000])
def test_int16_keys_edges_and_levels(rate):
    pcm = touchtone.Generator(sample_rate=rate).render(ALL_KEYS)
    assert pcm.dtype == np.int16
    # Layout: a pause, then each key's tone and a pause, each rounded to whole samples.
    pause, tone = (int(ms * rate / 1000 + 0.5) for ms in (PAUSE_MS, TONE_MS))
    n = pause + len(ALL_KEYS) * (tone + pause)
    assert len(pcm) == n
    check_truth(touchtone.decode(pcm, rate), ALL_KEYS)


@pytest.mark.parametrize("level,twist", [(-30.0, 0.0), (-20.0, 4.0), (-5.0, -3.0), (0.0, 0.0)])
def test_levels_follow_the_generated_dbm0(level, twist):
    pcm = touchtone.Generator(sample_rate=8000, level_dbm0=level, twist_db=twist).render("159#")
    presses = touchtone.decode(pcm, 8000)
    check_truth(presses, "159#", level=level, twist=twist)
    for p in presses:
        assert abs(p.twist_db - twist) <= 1.0


def test_float32_full_scale_is_one():
    rate = 16000
    pcm = touchtone.Generator(sample_rate=rate).render(ALL_KEYS)
    as_float = (pcm / 32768.0).astype(np.float32)
    check_truth(touchtone.decode(as_float, rate), ALL_KEYS)


def test_other_tone_and_pause_lengths():
    gen = touchtone.Generator(sample_rate=8000, tone_ms=45.0, pause_ms=50.0)
    check_truth(touchtone.decode(gen.render("2580"), 8000), "2580", tone_ms=45.0, pause_ms=50.0)


@pytest.mark.parametrize("encoding,encode", [("ulaw", ulaw_encode), ("alaw", alaw_encode)])
def test_g711_bytes(encoding, encode):
    pcm = touchtone.Generator(sample_rate=8000).render(ALL_KEYS)
    data = encode(pcm)
    assert len(data) == len(pcm)
    check_truth(touchtone.decode(data, 8000, encoding=encoding), ALL_KEYS)


def test_strided_array_equals_contiguous():
    pcm = touchtone.Generator(sample_rate=16000).render("369")
    strided = pcm[::2]
    assert not strided.flags["C_CONTIGUOUS"]
    assert touchtone.decode(strided, 8000) == touchtone.decode(strided.copy(), 8000)
    check_truth(touchtone.decode(strided, 8000), "369")


def test_silence_and_empty_input_give_no_keys():
    assert touchtone.decode(np.zeros(0, dtype=np.int16), 8000) == []
    assert touchtone.decode(np.zeros(8000, dtype=np.int16), 8000) == []
    assert touchtone.decode(b"", 8000, encoding="ulaw") == []


def stream(det, data, frame):
    events = []
    for i in range(0, len(data), frame):
        events += det.process(data[i : i + frame])
    return events + det.finish()


@pytest.mark.parametrize("frame", [1, 80, 160, 333, 100000])
def test_streaming_equals_one_shot(frame):
    rate = 8000
    pcm = touchtone.Generator(sample_rate=rate).render(ALL_KEYS)
    # End while the last key is still on: finish() must report it.
    pcm = pcm[: len(pcm) - round(PAUSE_MS * rate / 1000) - 80]
    one_shot = touchtone.decode(pcm, rate)
    assert "".join(p.key for p in one_shot) == ALL_KEYS
    det = touchtone.Detector(rate)
    events = stream(det, pcm, frame)
    ups = [e for e in events if isinstance(e, touchtone.KeyUp)]
    downs = [e for e in events if isinstance(e, touchtone.KeyDown)]
    assert [u.press for u in ups] == one_shot
    assert [d.key for d in downs] == [p.key for p in one_shot]
    # Each key down comes before its key up, within 50 ms of the tone's start.
    order = [type(e).__name__ for e in events]
    assert order == ["KeyDown", "KeyUp"] * len(ALL_KEYS)
    for d, u in zip(downs, ups):
        assert d.start == u.press.start
        assert d.decided_at_ms - d.start_ms <= 50.0
        assert d.decided_at <= u.decided_at
    # finish() resets the detector for a new stream.
    assert det.position == 0


def test_streaming_g711_bytes_equals_one_shot():
    pcm = touchtone.Generator(sample_rate=8000).render("*0#")
    data = alaw_encode(pcm)
    det = touchtone.Detector(8000)
    events = []
    for i in range(0, len(data), 160):
        events += det.process(data[i : i + 160], encoding="alaw")
    events += det.finish()
    ups = [e.press for e in events if isinstance(e, touchtone.KeyUp)]
    assert ups == touchtone.decode(data, 8000, encoding="alaw")
    assert "".join(p.key for p in ups) == "*0#"


def test_detector_keeps_working_after_garbage():
    rng = np.random.default_rng(7)
    garbage = rng.integers(-32768, 32767, size=8000, dtype=np.int16)
    pcm = touchtone.Generator(sample_rate=8000).render("4711")
    det = touchtone.Detector(8000)
    det.process(garbage)
    det.process(np.full(800, np.nan, dtype=np.float32))
    events = det.process(pcm) + det.finish()
    keys = "".join(e.key for e in events if isinstance(e, touchtone.KeyUp))
    assert keys.endswith("4711")


def test_decode_file_wav_mono_and_stereo(tmp_path):
    rate = 16000
    left = touchtone.Generator(sample_rate=rate).render("123")
    right = touchtone.Generator(sample_rate=rate, pause_ms=100.0).render("ABC")
    n = max(len(left), len(right))
    left = np.pad(left, (0, n - len(left)))
    right = np.pad(right, (0, n - len(right)))
    mono = tmp_path / "mono.wav"
    write_wav(mono, rate, [left])
    check_truth(touchtone.decode_file(mono), "123")
    stereo = tmp_path / "stereo.wav"
    write_wav(stereo, rate, [left, right])
    keys = touchtone.decode_file(str(stereo))
    assert [k.channel for k in keys] == [0, 1, 0, 1, 0, 1]
    check_truth([k for k in keys if k.channel == 0], "123")
    check_truth([k for k in keys if k.channel == 1], "ABC", pause_ms=100.0)
    starts = [k.start for k in keys]
    assert starts == sorted(starts)


def test_decode_file_raw(tmp_path):
    pcm = touchtone.Generator(sample_rate=8000).render("90#")
    path = tmp_path / "call.ulaw"
    path.write_bytes(ulaw_encode(pcm))
    check_truth(touchtone.decode_file(path, raw="ulaw", sample_rate=8000), "90#")
    path = tmp_path / "call.s16"
    path.write_bytes(pcm.astype("<i2").tobytes())
    check_truth(touchtone.decode_file(path, raw="s16le", sample_rate=8000), "90#")


def test_rate_and_profile_errors():
    pcm = np.zeros(100, dtype=np.int16)
    for rate in (0, 7999, 48001, 96000):
        with pytest.raises(touchtone.ConfigError, match=f"sample_rate {rate} Hz is outside 8000..=48000"):
            touchtone.decode(pcm, rate)
        with pytest.raises(ValueError):
            touchtone.Detector(rate)
    with pytest.raises(touchtone.ConfigError, match="unknown profile 'loose'|unknown profile \"loose\""):
        touchtone.Detector(8000, profile="loose")
    assert issubclass(touchtone.ConfigError, touchtone.TouchtoneError)
    assert issubclass(touchtone.TouchtoneError, ValueError)


# Keys with the low tone 16 dB weaker than the high one: past the standard profile's
# 6 dB reverse-twist limit, inside the relaxed profile's 18 dB. The 770 Hz row is left
# out (under this twist its low tone is measured too far off; see tests/field.rs). The
# weak low tone blurs the end of the tone: key 7's end was measured 12 ms early at 8 and
# 16 kHz, so the edges are checked to 15 ms here (10 ms elsewhere).
TWISTED_KEYS = "1379*#AD"
TWISTED_EDGE_MS = 15.0


@pytest.mark.parametrize("rate", [8000, 16000, 44100])
def test_relaxed_profile_accepts_reverse_twist_that_standard_rejects(rate):
    pcm = touchtone.Generator(sample_rate=rate, twist_db=-16.0).render(TWISTED_KEYS)
    assert touchtone.decode(pcm, rate) == []
    assert touchtone.decode(pcm, rate, profile="standard") == []
    presses = touchtone.decode(pcm, rate, profile="relaxed")
    check_truth(presses, TWISTED_KEYS, twist=-16.0, edge_ms=TWISTED_EDGE_MS)
    for p in presses:
        assert abs(p.twist_db + 16.0) <= 1.0
    # The streaming detector with the same profile finds the same keys.
    det = touchtone.Detector(rate, profile="relaxed")
    assert det.profile == "relaxed"
    ups = [e.press for e in stream(det, pcm, 160) if isinstance(e, touchtone.KeyUp)]
    assert ups == presses
    det = touchtone.Detector(rate)
    assert [e for e in stream(det, pcm, 160) if isinstance(e, touchtone.KeyUp)] == []


def test_relaxed_profile_in_decode_file(tmp_path):
    pcm = touchtone.Generator(sample_rate=8000, twist_db=-16.0).render(TWISTED_KEYS)
    path = tmp_path / "twisted.wav"
    write_wav(path, 8000, [pcm])
    assert touchtone.decode_file(path) == []
    presses = touchtone.decode_file(path, profile="relaxed")
    check_truth(presses, TWISTED_KEYS, twist=-16.0, edge_ms=TWISTED_EDGE_MS)


def test_both_profiles_decode_ordinary_keys():
    pcm = touchtone.Generator(sample_rate=8000).render(ALL_KEYS)
    for profile in ("standard", "relaxed"):
        check_truth(touchtone.decode(pcm, 8000, profile=profile), ALL_KEYS)


def test_sample_kind_errors():
    with pytest.raises(touchtone.AudioError, match="bytes need encoding"):
        touchtone.decode(b"\xff" * 10, 8000)
    with pytest.raises(touchtone.AudioError, match="unknown encoding 'gsm'|unknown encoding \"gsm\""):
        touchtone.decode(b"\xff" * 10, 8000, encoding="gsm")
    with pytest.raises(touchtone.AudioError, match="applies to bytes only"):
        touchtone.decode(np.zeros(10, np.int16), 8000, encoding="ulaw")
    with pytest.raises(TypeError, match="float64"):
        touchtone.decode(np.zeros(10), 8000)
    with pytest.raises(TypeError, match="2-D"):
        touchtone.decode(np.zeros((2, 10), np.int16), 8000)
    with pytest.raises(TypeError, match="list"):
        touchtone.decode([1, 2, 3], 8000)


def test_file_errors_name_the_problem(tmp_path):
    missing = tmp_path / "missing.wav"
    with pytest.raises(touchtone.AudioError, match="cannot open .*missing.wav"):
        touchtone.decode_file(missing)
    text = tmp_path / "notes.wav"
    text.write_text("these are not samples")
    with pytest.raises(touchtone.AudioError, match="RIFF"):
        touchtone.decode_file(text)
    with pytest.raises(touchtone.AudioError, match="is a directory"):
        touchtone.decode_file(tmp_path)
    raw = tmp_path / "x.raw"
    raw.write_bytes(b"\x00" * 100)
    with pytest.raises(touchtone.AudioError, match="needs sample_rate"):
        touchtone.decode_file(raw, raw="ulaw")
    with pytest.raises(touchtone.AudioError, match="unknown raw format"):
        touchtone.decode_file(raw, raw="mp3", sample_rate=8000)
    with pytest.raises(touchtone.AudioError, match="96000"):
        touchtone.decode_file(raw, raw="ulaw", sample_rate=96000)
    with pytest.raises(touchtone.ConfigError, match="unknown profile"):
        touchtone.decode_file(missing, profile="bogus")


def test_generator_errors():
    with pytest.raises(touchtone.GeneratorError, match="'x'|x"):
        touchtone.Generator().render("12x")
    with pytest.raises(touchtone.GeneratorError, match="4000"):
        touchtone.Generator(sample_rate=4000)
    with pytest.raises(touchtone.GeneratorError, match="tone_ms"):
        touchtone.Generator(tone_ms=-1.0)
    with pytest.raises(touchtone.GeneratorError, match="level_dbm0"):
        touchtone.Generator(level_dbm0=float("nan"))


def detector_to_gather(g, pcm, rate):
    """Feed a detector's events to a gather: key down at the decision, up at the end."""
    det = touchtone.Detector(rate)
    for e in det.process(pcm) + det.finish():
        if isinstance(e, touchtone.KeyDown):
            g.key_down(e.key, e.decided_at_ms / 1000)
        else:
            g.key_up(e.key, e.decided_at_ms / 1000)


def test_gather_twilio_collects_decoded_keys():
    g = touchtone.Gather("twilio", num_digits=4)
    assert g.preset == "twilio"
    g.start(0.0)
    detector_to_gather(g, touchtone.Generator().render("2468"), 8000)
    actions = g.actions()
    assert len(actions) == 1 and isinstance(actions[0], touchtone.Finished)
    r = g.result
    assert (r.keys, r.reason, r.success, r.attempts) == ("2468", "max_keys", True, 1)
    # It finished when the fourth key went down: its key-down decision (tone start +
    # at most 50 ms).
    start4, _ = truth_ms(3)
    assert start4 / 1000 <= r.end <= (start4 + 50) / 1000
    assert [e.key for e in r.events] == list("2468")


def test_gather_bird_end_key_and_no_input():
    g = touchtone.Gather("bird")
    g.start(0.0)
    detector_to_gather(g, touchtone.Generator().render("12#"), 8000)
    r = g.result
    assert (r.keys, r.reason, r.success) == ("12", "end_key", True)
    assert r.end_key is not None and r.end_key.key == "#"

    g = touchtone.Gather("bird", timeout=3.5)
    g.start(1.0)
    assert g.next_deadline() == pytest.approx(4.5)
    g.timeout(4.4)
    assert g.poll_action() is None
    g.timeout(4.5)
    failed, a = g.actions()
    assert isinstance(failed, touchtone.AttemptFailed) and failed.reason == "no_input"
    assert isinstance(a, touchtone.Finished)
    assert (a.result.reason, a.result.success, a.result.keys) == ("no_input", False, "")
    assert g.is_finished


def test_gather_retry_prompt_and_barge_in():
    g = touchtone.Gather("freeswitch", min=1, max=2, tries=2, timeout=2000, file=True)
    g.start(0.0)
    a = g.poll_action()
    assert isinstance(a, touchtone.PlayPrompt) and (a.attempt, a.kind) == (1, "initial")
    assert g.next_deadline() is None  # no timer while the prompt plays
    g.prompt_finished(3.0)
    assert g.next_deadline() == pytest.approx(5.0)
    g.timeout(5.0)
    failed, retry = g.actions()
    assert isinstance(failed, touchtone.AttemptFailed) and failed.reason == "no_input"
    assert isinstance(retry, touchtone.PlayPrompt) and (retry.attempt, retry.kind) == (2, "retry")
    g.key_down("7", 5.5)  # barge-in
    stop = g.poll_action()
    assert isinstance(stop, touchtone.StopPrompt) and stop.id == retry.id and stop.at == 5.5
    g.key_up("7", 5.6)
    g.key_down("3", 6.0)
    r = g.result
    assert (r.keys, r.reason, r.attempts) == ("73", "max_keys", 2)


# One key at 1.0-1.1 s with each platform's default parameters: how it ends follows the
# platform's documented inter-key timeout (Bird/Twilio/FreeSWITCH/Asterisk 5 s, Plivo
# digitTimeout 2 s, VoiceXML interdigittimeout 3 s) or Azure's maxTonesToCollect 1.
PRESET_ENDS = {
    "bird": ("timeout", 6.1),
    "azure": ("max_keys", 1.0),
    "twilio": ("timeout", 6.1),
    "plivo": ("timeout", 3.1),
    "freeswitch": ("timeout", 6.1),
    "asterisk": ("timeout", 6.1),
    "voicexml": ("timeout", 4.1),
}


@pytest.mark.parametrize("preset", touchtone.PRESETS)
def test_every_preset_builds_and_collects(preset):
    g = touchtone.Gather(preset)
    g.start(0.0)
    for a in g.actions():
        if isinstance(a, touchtone.PlayPrompt):
            g.prompt_finished(0.5)
    g.key_down("5", 1.0)
    g.key_up("5", 1.1)
    while not g.is_finished:
        deadline = g.next_deadline()
        assert deadline is not None, preset
        g.timeout(deadline)
    r = g.result
    assert (r.keys, r.success) == ("5", True)
    assert (r.reason, round(r.end, 3)) == PRESET_ENDS[preset]


def test_gather_errors():
    with pytest.raises(touchtone.GatherError, match="unknown gather preset 'genesys'|unknown gather preset \"genesys\""):
        touchtone.Gather("genesys")
    with pytest.raises(touchtone.GatherError, match="unknown parameter .numDigits. for preset .twilio."):
        touchtone.Gather("twilio", numDigits=4)
    with pytest.raises(TypeError, match="num_digits"):
        touchtone.Gather("twilio", num_digits="four")
    with pytest.raises(touchtone.GatherError, match="endKey"):
        touchtone.Gather("bird", end_key="x")
    with pytest.raises(touchtone.GatherError, match="maxTonesToCollect"):
        touchtone.Gather("azure", max_tones_to_collect=0)
    g = touchtone.Gather()
    with pytest.raises(touchtone.GatherError, match="'x'|x"):
        g.key_down("x", 1.0)
    with pytest.raises(touchtone.GatherError, match="one character"):
        g.key_down("12", 1.0)
    with pytest.raises(touchtone.GatherError, match="-1"):
        g.start(-1.0)
    with pytest.raises(touchtone.GatherError, match="NaN"):
        g.timeout(float("nan"))
    assert issubclass(touchtone.GatherError, ValueError)


def test_reprs_are_readable():
    pcm = touchtone.Generator(sample_rate=8000).render("5")
    (p,) = touchtone.decode(pcm, 8000)
    assert repr(p).startswith("KeyPress(key='5', start_ms=")
    assert "low_dbm0=-10.0" in repr(p) or "low_dbm0=-9.9" in repr(p) or "low_dbm0=-10.1" in repr(p)
    det = touchtone.Detector(8000)
    events = det.process(pcm) + det.finish()
    assert repr(events[0]).startswith("KeyDown(key='5'")
    assert repr(events[1]).startswith("KeyUp(key='5'")
    assert repr(touchtone.Detector(16000)) == "Detector(sample_rate=16000, profile='standard', position=0)"
    assert repr(touchtone.Generator()) == (
        "Generator(sample_rate=8000, tone_ms=70.0, pause_ms=70.0, level_dbm0=-10.0, twist_db=0.0)"
    )
    assert repr(touchtone.Gather("twilio")) == "Gather(preset='twilio', not started)"


def test_stubs_cover_the_module():
    import importlib.util

    spec = importlib.util.find_spec("touchtone")
    pkg = pathlib.Path(spec.origin).parent
    assert (pkg / "py.typed").exists()
    stubs = list(pkg.glob("*.pyi"))
    assert stubs, "no .pyi installed"
    text = stubs[0].read_text()
    public = [n for n in dir(touchtone) if not n.startswith("_") and n != "touchtone"]
    missing = [n for n in public if n not in text]
    assert not missing, missing
    for name in ("decode", "decode_file", "Detector", "Generator", "Gather"):
        assert getattr(touchtone, name).__doc__, name
