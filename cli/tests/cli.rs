//! `touchtone decode` and `touchtone generate`, run as programs with the command lines of the
//! crate's `decode` and `generate` examples (docs/cli.md): output lines
//! for recordings with known key times, and every error case giving `error: …` on stderr
//! with exit status 2 (never a panic).

mod common;

use common::{run, s, stderr, stdout, write_wav, TempDir, BIN};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use touchtone::{g711, Generator, GeneratorConfig};

/// Parse `start\tend\tkey[\tchannel]` lines.
fn lines(out: &str) -> Vec<(u64, u64, char, Option<u16>)> {
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() == 3 || f.len() == 4, "bad line {l:?}");
            let key: Vec<char> = f[2].chars().collect();
            assert_eq!(key.len(), 1, "bad key in {l:?}");
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                key[0],
                f.get(3).map(|c| c.parse().unwrap()),
            )
        })
        .collect()
}

/// Check decoded keys against the truth (key, start ms, end ms) within ±10 ms.
fn check_times(got: &[(u64, u64, char, Option<u16>)], truth: &[(char, f64, f64)]) {
    let keys: String = got.iter().map(|g| g.2).collect();
    let want: String = truth.iter().map(|t| t.0).collect();
    assert_eq!(keys, want);
    for (g, t) in got.iter().zip(truth) {
        assert!(
            (g.0 as f64 - t.1).abs() <= 10.0 && (g.1 as f64 - t.2).abs() <= 10.0,
            "{g:?} vs truth {t:?}"
        );
    }
}

/// Key times of `generate`'s layout: pause, then tone + pause per key.
fn layout(keys: &str, tone: f64, pause: f64) -> Vec<(char, f64, f64)> {
    keys.chars()
        .enumerate()
        .map(|(i, k)| {
            let start = pause + i as f64 * (tone + pause);
            (k, start, start + tone)
        })
        .collect()
}

#[test]
fn generate_then_decode_all_keys() {
    let dir = TempDir::new("cli");
    let wav = dir.join("all.wav");
    let o = run("generate", &["0123456789*#ABCD", s(&wav)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The file is what the contract says: 16-bit mono at 8 kHz, 70/70 ms layout.
    let r = hound::WavReader::open(&wav).unwrap();
    let spec = r.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 8000, 16)
    );
    assert_eq!(r.len(), (70 + 16 * 140) * 8);
    let o = run("decode", &[s(&wav)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stderr.is_empty());
    let got = lines(&stdout(&o));
    assert!(got.iter().all(|g| g.3.is_none()));
    check_times(&got, &layout("0123456789*#ABCD", 70.0, 70.0));
}

#[test]
fn generate_options_are_honoured() {
    let dir = TempDir::new("cli");
    let wav = dir.join("opts.wav");
    let o = run(
        "generate",
        &[
            "--rate",
            "48000",
            "--tone-ms",
            "45",
            "--pause-ms",
            "50",
            "--level",
            "-22",
            "--twist",
            "4",
            "159#",
            s(&wav),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r = hound::WavReader::open(&wav).unwrap();
    assert_eq!(r.spec().sample_rate, 48000);
    let o = run("decode", &["--json", s(&wav)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let truth = layout("159#", 45.0, 50.0);
    assert_eq!(out.lines().count(), 4);
    for (line, t) in out.lines().zip(&truth) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["key"], t.0.to_string());
        assert!(v.get("channel").is_none(), "mono has no channel: {line}");
        let start = v["start_ms"].as_u64().unwrap() as f64;
        let end = v["end_ms"].as_u64().unwrap() as f64;
        assert!(
            (start - t.1).abs() <= 10.0 && (end - t.2).abs() <= 10.0,
            "{line}"
        );
        // −22 dBm0 average with 4 dB twist: low −20, high −24.
        let low = v["low_dbm0"].as_f64().unwrap();
        let high = v["high_dbm0"].as_f64().unwrap();
        let twist = v["twist_db"].as_f64().unwrap();
        assert!((low + 20.0).abs() < 1.0, "{line}");
        assert!((high + 24.0).abs() < 1.0, "{line}");
        assert!((twist - 4.0).abs() < 1.0, "{line}");
    }
}

/// A stereo 16 kHz file: channel 0 has "12" from 100 ms, channel 1 has "AB" from 150 ms,
/// 60 ms tones, 200 ms apart.
fn stereo(dir: &Path) -> (PathBuf, Vec<(char, f64, f64, u16)>) {
    let rate = 16000u32;
    let g = Generator::new(GeneratorConfig {
        sample_rate: rate,
        ..Default::default()
    })
    .unwrap();
    let n = rate as usize; // 1 s
    let mut chans = [vec![0f64; n], vec![0f64; n]];
    let mut truth = Vec::new();
    for (c, keys, first) in [(0u16, "12", 100.0), (1, "AB", 150.0)] {
        for (i, k) in keys.chars().enumerate() {
            let start = first + 200.0 * i as f64;
            let a = (start * rate as f64 / 1000.0) as usize;
            let b = a + (60 * rate / 1000) as usize;
            g.add_key(
                touchtone::Key::from_char(k).unwrap(),
                &mut chans[c as usize][a..b],
            );
            truth.push((k, start, start + 60.0, c));
        }
    }
    truth.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap());
    let chans: Vec<Vec<i16>> = chans
        .iter()
        .map(|c| c.iter().map(|&v| v.round() as i16).collect())
        .collect();
    (write_wav(&dir.join("stereo.wav"), rate, &chans), truth)
}

#[test]
fn multi_channel_every_channel_by_start_time() {
    let dir = TempDir::new("cli");
    let (path, truth) = stereo(&dir);
    let o = run("decode", &[s(&path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = lines(&stdout(&o));
    assert_eq!(got.len(), 4, "{}", stdout(&o));
    for (g, t) in got.iter().zip(&truth) {
        assert_eq!((g.2, g.3), (t.0, Some(t.3)));
        assert!((g.0 as f64 - t.1).abs() <= 10.0 && (g.1 as f64 - t.2).abs() <= 10.0);
    }
    // --channel 1: only that channel, still with the channel column.
    let o = run("decode", &["--channel", "1", s(&path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = lines(&stdout(&o));
    let keys: String = got.iter().map(|g| g.2).collect();
    assert_eq!(keys, "AB");
    assert!(got.iter().all(|g| g.3 == Some(1)));
    // --json carries the channel.
    let o = run("decode", &["--json", "--channel=0", s(&path)]);
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 2);
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["channel"], 0);
    }
    // A channel that does not exist.
    let o = run("decode", &["--channel", "2", s(&path)]);
    assert_error(&o, "channel 2");
}

#[test]
fn raw_inputs() {
    let dir = TempDir::new("cli");
    let keys = "*0#D";
    for rate in [8000u32, 16000] {
        let g = Generator::new(GeneratorConfig {
            sample_rate: rate,
            ..Default::default()
        })
        .unwrap();
        let pcm = g.render_str(keys).unwrap();
        let files: [(&str, Vec<u8>); 4] = [
            (
                "ulaw",
                pcm.iter().map(|&x| g711::linear_to_ulaw(x)).collect(),
            ),
            (
                "alaw",
                pcm.iter().map(|&x| g711::linear_to_alaw(x)).collect(),
            ),
            ("s16le", pcm.iter().flat_map(|x| x.to_le_bytes()).collect()),
            (
                "f32le",
                pcm.iter()
                    .flat_map(|&x| (f32::from(x) / 32768.0).to_le_bytes())
                    .collect(),
            ),
        ];
        for (fmt, bytes) in files {
            let path = dir.join(format!("k{rate}.{fmt}"));
            std::fs::write(&path, bytes).unwrap();
            let rate_s = rate.to_string();
            let mut args = vec!["--raw", fmt];
            if rate != 8000 {
                args.extend(["--rate", &rate_s]);
            }
            args.push(s(&path));
            let o = run("decode", &args);
            assert!(o.status.success(), "{fmt}: {}", stderr(&o));
            check_times(&lines(&stdout(&o)), &layout(keys, 70.0, 70.0));
        }
    }
}

#[test]
fn bench_line() {
    let dir = TempDir::new("cli");
    let wav = dir.join("b.wav");
    assert!(run("generate", &["147*", s(&wav)]).status.success());
    let o = run("decode", &["--bench", "3", s(&wav)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let line = out.strip_suffix('\n').unwrap();
    assert!(!line.contains('\n'), "exactly one line: {out:?}");
    let f: Vec<&str> = line.split(' ').collect();
    assert_eq!(f.len(), 3, "{line}");
    let sps: u64 = f[0]
        .strip_prefix("samples_per_second=")
        .unwrap()
        .parse()
        .unwrap();
    let ns: f64 = f[1]
        .strip_prefix("ns_per_sample=")
        .unwrap()
        .parse()
        .unwrap();
    assert!(sps > 0 && ns > 0.0, "{line}");
    // The two figures describe the same timing.
    assert!((sps as f64 * ns / 1e9 - 1.0).abs() < 0.05, "{line}");
    assert_eq!(f[2], "keys=147*");
}

#[test]
fn truncated_data_chunk_warns_and_decodes_what_is_there() {
    let dir = TempDir::new("cli");
    let wav = dir.join("t.wav");
    assert!(run("generate", &["123", s(&wav)]).status.success());
    let mut bytes = std::fs::read(&wav).unwrap();
    // Cut the file in the pause after "2" (at 315 ms, 8 kHz, 16-bit), keep the declared size.
    bytes.truncate(44 + 315 * 16);
    std::fs::write(&wav, &bytes).unwrap();
    let o = run("decode", &[s(&wav)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("warning: "), "{err}");
    assert!(err.contains("data chunk at byte 36"), "{err}");
    check_times(&lines(&stdout(&o)), &layout("12", 70.0, 70.0));
}

fn assert_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "exit status; stderr {err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "{err:?} should mention {needle:?}"
    );
    assert!(!err.contains("panicked"));
    assert!(o.stdout.is_empty());
}

fn wav_with_fmt(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let ba = channels.wrapping_mul(bits.div_ceil(8));
    let mut v = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
    v.extend_from_slice(&tag.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&rate.wrapping_mul(u32::from(ba)).to_le_bytes());
    v.extend_from_slice(&ba.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

#[test]
fn every_bad_file_is_an_error_with_status_2() {
    let dir = TempDir::new("cli");
    let f = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let missing = dir.join("missing.wav");
    let o = run("decode", &[s(&missing)]);
    assert_error(&o, "missing.wav");
    assert_error(&run("decode", &[s(&dir)]), "directory");
    assert_error(&run("decode", &[s(&f("empty.wav", b""))]), "empty");
    assert_error(
        &run("decode", &["--raw", "ulaw", s(&f("empty.ulaw", b""))]),
        "empty",
    );
    let mut x = 0x2545F4914F6CDD1Du64;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    assert_error(
        &run("decode", &[s(&f("random.wav", &random))]),
        "not a WAV file",
    );
    let good = wav_with_fmt(1, 1, 8000, 16, &[0; 100]);
    assert_error(&run("decode", &[s(&f("h10.wav", &good[..10]))]), "byte 10");
    assert_error(&run("decode", &[s(&f("h30.wav", &good[..30]))]), "byte 30");
    assert_error(&run("decode", &[s(&f("h40.wav", &good[..40]))]), "byte 40");
    assert_error(
        &run(
            "decode",
            &[s(&f("ch0.wav", &wav_with_fmt(1, 0, 8000, 16, &[])))],
        ),
        "channel count 0",
    );
    assert_error(
        &run(
            "decode",
            &[s(&f("ch9999.wav", &wav_with_fmt(1, 9999, 8000, 16, &[])))],
        ),
        "channel count 9999",
    );
    assert_error(
        &run(
            "decode",
            &[s(&f("r0.wav", &wav_with_fmt(1, 1, 0, 16, &[])))],
        ),
        "sample rate 0 Hz",
    );
    assert_error(
        &run(
            "decode",
            &[s(&f("r4k.wav", &wav_with_fmt(1, 1, 4000, 16, &[])))],
        ),
        "sample rate 4000 Hz",
    );
    // Above 48 kHz is resampled, up to a limit.
    assert_error(
        &run(
            "decode",
            &[s(&f("r500k.wav", &wav_with_fmt(1, 1, 500_000, 16, &[])))],
        ),
        "sample rate 500000 Hz",
    );
    assert_error(
        &run(
            "decode",
            &[s(&f("mp3.wav", &wav_with_fmt(0x55, 1, 8000, 0, &[])))],
        ),
        "format tag 85 (0x0055",
    );
    assert_error(
        &run(
            "decode",
            &[s(&f("gsm.wav", &wav_with_fmt(0x31, 1, 8000, 0, &[])))],
        ),
        "format tag 49 (0x0031, GSM",
    );
    assert_error(
        &run(
            "decode",
            &[s(&f("b12.wav", &wav_with_fmt(3, 1, 8000, 16, &[])))],
        ),
        "16 bits per sample",
    );
}

#[test]
fn bad_flags_are_errors_with_status_2() {
    let dir = TempDir::new("cli");
    let wav = dir.join("k.wav");
    assert!(run("generate", &["1", s(&wav)]).status.success());
    let w = s(&wav);
    for (args, needle) in [
        (vec![], "no FILE"),
        (vec!["--bogus", w], "--bogus"),
        (vec!["-x", w], "-x"),
        (vec!["--raw", "mp3", w], "mp3"),
        (vec!["--raw"], "--raw needs a value"),
        (vec!["--raw", "ulaw", "--rate", "abc", w], "abc"),
        (vec!["--raw", "ulaw", "--rate", "0", w], "sample rate 0 Hz"),
        (
            vec!["--raw", "ulaw", "--rate", "4000", w],
            "sample rate 4000 Hz",
        ),
        (
            vec!["--raw", "ulaw", "--rate", "500000", w],
            "sample rate 500000 Hz",
        ),
        (vec!["--raw", "ulaw", "--rate", "-8000", w], "-8000"),
        (vec!["--rate", "8000", w], "--rate"),
        (vec!["--channel", "x", w], "--channel"),
        (vec!["--channel", "-1", w], "--channel"),
        (vec!["--channel", "1", w], "channel 1"),
        (vec!["--bench", "0", w], "--bench"),
        (vec!["--bench", "many", w], "many"),
        (vec!["--json=yes", w], "--json"),
        (vec![w, w], "only one FILE"),
    ] {
        assert_error(&run("decode", &args), needle);
    }
    let out = dir.join("o.wav");
    let o_ = s(&out);
    for (args, needle) in [
        (vec![], "expected KEYS"),
        (vec!["123"], "expected KEYS"),
        (vec!["12x", o_], "'x'"),
        (vec!["--rate", "7000", "1", o_], "7000"),
        (vec!["--rate", "fast", "1", o_], "fast"),
        (vec!["--tone-ms", "-5", "1", o_], "tone_ms"),
        (vec!["--pause-ms", "nan", "1", o_], "pause_ms"),
        (vec!["--level", "40", "1", o_], "level"),
        (vec!["--twist", "100", "1", o_], "twist"),
        (vec!["--level"], "--level needs a value"),
        (vec!["--loud", "1", o_], "--loud"),
        (
            vec![
                "--rate",
                "48000",
                "--tone-ms",
                "3600000",
                "12345678901234567890",
                o_,
            ],
            "more than a WAV file holds",
        ),
        (vec!["1", s(&dir.join("no/such/dir/o.wav"))], "writing"),
    ] {
        assert_error(&run("generate", &args), needle);
    }
}

#[test]
fn help_version_and_commands() {
    let o = Command::new(BIN).arg("--version").output().unwrap();
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        format!("touchtone {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = Command::new(BIN).arg("--help").output().unwrap();
    assert!(o.status.success());
    for cmd in ["decode", "generate", "scan"] {
        assert!(stdout(&o).contains(cmd), "{}", stdout(&o));
        let o = run(cmd, &["--help"]);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        assert!(
            stdout(&o).starts_with(&format!("usage: {cmd} [OPTIONS]")),
            "{cmd}: {}",
            stdout(&o)
        );
    }
    assert_error(
        &run("transmogrify", &[]),
        "unknown command \"transmogrify\"",
    );
    let o = Command::new(BIN).output().unwrap();
    assert_error(&o, "no command");
}

/// Headerless input above 48 kHz is resampled: 16-bit samples at 96 kHz made by repeating
/// each sample of a 48 kHz rendering (the images this leaves near 48 kHz are what the
/// resampler's low-pass removes).
#[test]
fn raw_input_above_48k_is_resampled() {
    let dir = TempDir::new("cli");
    let g = Generator::new(GeneratorConfig {
        sample_rate: 48000,
        ..Default::default()
    })
    .unwrap();
    let pcm = g.render_str("29#").unwrap();
    let bytes: Vec<u8> = pcm
        .iter()
        .flat_map(|&x| [x, x])
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let path = dir.join("k96.s16le");
    std::fs::write(&path, bytes).unwrap();
    let o = run("decode", &["--raw", "s16le", "--rate", "96000", s(&path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    check_times(&lines(&stdout(&o)), &layout("29#", 70.0, 70.0));
}

/// Captures written by the library's own RTP sender (testdata/rtp, made by the library's
/// capture tests): every press once, from the right source, on the stream 0x0badcafe.
#[cfg(feature = "capture")]
#[test]
fn decode_reads_packet_captures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/rtp");
    for (file, keys, source) in [
        ("oob-sdp.pcap", "159#", "rfc4733"),
        ("inband.pcap", "2580", "inband"),
        ("both.pcapng", "*0D7", "rfc4733+inband"),
    ] {
        let o = run("decode", &[s(&dir.join(file))]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let out = stdout(&o);
        let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
        let got: String = rows.iter().map(|r| r[2]).collect();
        assert_eq!(got, keys, "{file}: {out}");
        for r in &rows {
            assert_eq!(
                (r.len(), r[3], r[4]),
                (5, "0badcafe", source),
                "{file}: {out}"
            );
            let (start, end): (f64, f64) = (r[0].parse().unwrap(), r[1].parse().unwrap());
            assert!(end > start, "{file}: {out}");
        }
    }
    // Options that make no sense for a capture are refused; --event-pt only for captures.
    let o = run("decode", &["--json", s(&dir.join("inband.pcap"))]);
    assert_error(&o, "do not apply to a packet capture");
    let o = run("decode", &["--event-pt", "101", "../testdata/keys-8k.wav"]);
    assert_error(&o, "only for packet captures");
    let o = run(
        "decode",
        &["--event-pt", "200", s(&dir.join("inband.pcap"))],
    );
    assert_error(&o, "0-127");
}
