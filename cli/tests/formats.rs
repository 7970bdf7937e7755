//! `touchtone decode` and `touchtone scan` on recordings in every format they read, made in
//! the test from a generated recording with the Debian tools `flac`, `lame`, `ffmpeg` and
//! `sox` (`apt-get install flac lame ffmpeg sox`), plus `script` (bsdutils) for a terminal.
//! The truth is the generator's layout: a 70 ms pause, then 70 ms tone + 70 ms pause per key,
//! each tone at −10 dBm0.

mod common;

use common::{run, s, write_wav, TempDir, BIN};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use touchtone::{Generator, GeneratorConfig};

const KEYS: &str = "0123456789*#ABCD";

/// Run a Debian tool, failing with what to install when it is missing.
fn tool(name: &str, package: &str, args: &[&str]) {
    let o = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("`{name}` could not be run ({e}): install it with `apt-get install {package}`")
    });
    assert!(
        o.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn sox(args: &[&str]) {
    tool("sox", "sox", args);
}

fn ffmpeg(args: &[&str]) {
    let mut all = vec!["-hide_banner", "-loglevel", "error", "-y"];
    all.extend(args);
    tool("ffmpeg", "ffmpeg", &all);
}

/// A 16-bit mono WAV of `keys` at `rate` from the crate's generator.
fn generated(dir: &TempDir, name: &str, keys: &str, rate: u32) -> PathBuf {
    let g = Generator::new(GeneratorConfig {
        sample_rate: rate,
        ..Default::default()
    })
    .unwrap();
    write_wav(&dir.join(name), rate, &[g.render_str(keys).unwrap()])
}

fn decode(args: &[&str]) -> Output {
    run("decode", args)
}

struct Key {
    start: f64,
    end: f64,
    key: char,
    channel: Option<u64>,
    low: f64,
    high: f64,
}

/// `touchtone decode --json FILE`, which must succeed without a warning.
fn keys_of(file: &Path) -> Vec<Key> {
    let o = decode(&["--json", s(file)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{}: {err}", file.display());
    assert!(err.is_empty(), "{}: {err}", file.display());
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Key {
                start: v["start_ms"].as_f64().unwrap(),
                end: v["end_ms"].as_f64().unwrap(),
                key: v["key"].as_str().unwrap().chars().next().unwrap(),
                channel: v.get("channel").and_then(|c| c.as_u64()),
                low: v["low_dbm0"].as_f64().unwrap(),
                high: v["high_dbm0"].as_f64().unwrap(),
            }
        })
        .collect()
}

/// The keys of `file` are `keys` in the generator's layout: edges within ±10 ms after
/// removing `shift_ms` (a lossy codec's start-up delay where the file does not record it),
/// and each tone's level within `level_db` of −10 dBm0.
fn check(file: &Path, keys: &str, shift_ms: f64, level_db: f64) {
    let got = keys_of(file);
    let found: String = got.iter().map(|k| k.key).collect();
    assert_eq!(found, keys, "{}", file.display());
    for (i, k) in got.iter().enumerate() {
        let start = 70.0 + 140.0 * i as f64 + shift_ms;
        assert!(
            (k.start - start).abs() <= 10.0 && (k.end - (start + 70.0)).abs() <= 10.0,
            "{}: key {} at {}..{} ms, expected {start}..{} ms",
            file.display(),
            k.key,
            k.start,
            k.end,
            start + 70.0
        );
        assert!(
            (k.low + 10.0).abs() <= level_db && (k.high + 10.0).abs() <= level_db,
            "{}: key {} at {} / {} dBm0, expected -10 ± {level_db}",
            file.display(),
            k.key,
            k.low,
            k.high
        );
        assert_eq!(k.channel, None, "mono has no channel column");
    }
}

#[test]
fn lossless_formats() {
    let dir = TempDir::new("formats-lossless");
    let wav = generated(&dir, "k.wav", KEYS, 8000);
    let flac = dir.join("k.flac");
    tool("flac", "flac", &["-s", "-f", s(&wav), "-o", s(&flac)]);
    check(&flac, KEYS, 0.0, 0.5);
    // AIFF (big-endian PCM in an IFF container).
    let aiff = dir.join("k.aiff");
    sox(&[s(&wav), s(&aiff)]);
    check(&aiff, KEYS, 0.0, 0.5);
    // AU: 16-bit linear, μ-law and A-law (G.711 costs a few tenths of a dB at most).
    for (name, enc) in [
        ("k16.au", "signed-integer"),
        ("ku.au", "mu-law"),
        ("ka.au", "a-law"),
    ] {
        let au = dir.join(name);
        sox(&[s(&wav), "-e", enc, s(&au)]);
        check(&au, KEYS, 0.0, 0.5);
    }
    // CAF and Matroska hold FLAC or PCM too.
    let mka = dir.join("k.mka");
    ffmpeg(&["-i", s(&wav), "-c:a", "flac", s(&mka)]);
    check(&mka, KEYS, 0.0, 0.5);
}

#[test]
fn lossy_formats() {
    let dir = TempDir::new("formats-lossy");
    let wav = generated(&dir, "k.wav", KEYS, 8000);
    // MP3 at 32 kbit/s: LAME writes its encoder delay in the first frame, and the decoder
    // removes it, so the edges stay where they were.
    let mp3 = dir.join("k.mp3");
    tool("lame", "lame", &["--quiet", "-b", "32", s(&wav), s(&mp3)]);
    check(&mp3, KEYS, 0.0, 1.5);
    // Ogg Vorbis.
    let ogg = dir.join("k.ogg");
    ffmpeg(&["-i", s(&wav), "-c:a", "libvorbis", "-q:a", "4", s(&ogg)]);
    check(&ogg, KEYS, 0.0, 1.5);
    // AAC in MP4: the encoder's 1024 priming samples (128 ms at 8 kHz) stay in the output
    // (the MP4 edit list that records them is not applied), so the edges move by that.
    let m4a = dir.join("k.m4a");
    ffmpeg(&["-i", s(&wav), "-c:a", "aac", "-b:a", "64k", s(&m4a)]);
    check(&m4a, KEYS, 128.0, 1.5);
}

/// A codec nothing here decodes (Opus) is a one-line error with status 2 naming the file.
#[test]
fn unsupported_codec_is_a_clear_error() {
    let dir = TempDir::new("formats-opus");
    let wav = generated(&dir, "k.wav", "1", 8000);
    let opus = dir.join("k.opus");
    ffmpeg(&["-i", s(&wav), "-c:a", "libopus", s(&opus)]);
    let o = decode(&[s(&opus)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("k.opus"),
        "{err}"
    );
    assert!(err.contains("unsupported audio codec"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(o.stdout.is_empty());
}

/// 96 kHz WAV and FLAC (sox's resampling of a 48 kHz rendering) decode at 48 kHz with the
/// same edges and levels.
#[test]
fn rates_above_48k_are_resampled() {
    let dir = TempDir::new("formats-hi");
    let wav48 = generated(&dir, "k48.wav", KEYS, 48000);
    let wav96 = dir.join("k96.wav");
    sox(&[s(&wav48), "-r", "96000", s(&wav96)]);
    check(&wav96, KEYS, 0.0, 0.5);
    let flac96 = dir.join("k96.flac");
    tool("flac", "flac", &["-s", "-f", s(&wav96), "-o", s(&flac96)]);
    check(&flac96, KEYS, 0.0, 0.5);
    // 24-bit 192 kHz.
    let wav192 = dir.join("k192.wav");
    sox(&[s(&wav48), "-b", "24", "-r", "192000", s(&wav192)]);
    check(&wav192, KEYS, 0.0, 0.5);
}

/// The resampler filters out what lies above the new Nyquist frequency instead of folding it
/// into the DTMF band: at 96 kHz, tones at 48 000 − 697 and 48 000 − 1209 Hz would alias onto
/// key 1 (697 + 1209 Hz) if every other sample were simply dropped. Only the real key 5 that
/// follows them may be found.
#[test]
fn resampling_does_not_alias_into_the_band() {
    let dir = TempDir::new("formats-alias");
    let rate = 96000.0;
    let tone = |f: f64, t: f64| 7000.0 * (2.0 * std::f64::consts::PI * f * t).sin();
    let samples: Vec<i16> = (0..96000)
        .map(|i| {
            let t = i as f64 / rate;
            let x = if (0.1..0.3).contains(&t) {
                tone(48000.0 - 697.0, t) + tone(48000.0 - 1209.0, t)
            } else if (0.5..0.6).contains(&t) {
                tone(770.0, t) + tone(1336.0, t)
            } else {
                0.0
            };
            x.round() as i16
        })
        .collect();
    // The same aliasing tones decimated naively really are key 1 (the test can fail).
    let naive: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let naive_keys: String = touchtone::detect(48000, &naive)
        .unwrap()
        .iter()
        .map(|p| p.key.to_char())
        .collect();
    assert_eq!(naive_keys, "15");
    let wav = write_wav(&dir.join("alias96.wav"), 96000, &[samples]);
    let got: String = keys_of(&wav).iter().map(|k| k.key).collect();
    assert_eq!(got, "5");
}

/// A stereo FLAC decodes per channel, with the channel column.
#[test]
fn multichannel_flac() {
    let dir = TempDir::new("formats-stereo");
    let g = Generator::new(GeneratorConfig::default()).unwrap();
    let left = g.render_str("12").unwrap();
    let mut right = vec![0i16; left.len()];
    let r = g.render_str("9").unwrap();
    // Key 9 on the right starts 100 ms after key 1 on the left.
    right[800..800 + r.len()].copy_from_slice(&r);
    let wav = write_wav(&dir.join("st.wav"), 8000, &[left, right]);
    let flac = dir.join("st.flac");
    tool("flac", "flac", &["-s", "-f", s(&wav), "-o", s(&flac)]);
    let got = keys_of(&flac);
    let seen: Vec<(char, Option<u64>, f64)> =
        got.iter().map(|k| (k.key, k.channel, k.start)).collect();
    assert_eq!(
        seen.len(),
        3,
        "{:?}",
        seen.iter().map(|k| k.0).collect::<String>()
    );
    let want = [('1', 0, 70.0), ('9', 1, 170.0), ('2', 0, 210.0)];
    for ((key, ch, start), w) in seen.iter().zip(want) {
        assert_eq!((*key, *ch), (w.0, Some(w.1)));
        assert!((start - w.2).abs() <= 10.0, "{key} at {start}");
    }
}

/// A folder of good and broken recordings (and a file that is not one).
fn scan_folder(dir: &TempDir) -> PathBuf {
    let root = dir.join("calls");
    std::fs::create_dir_all(root.join("day2")).unwrap();
    let wav = generated(dir, "a.wav", "147", 8000);
    std::fs::copy(&wav, root.join("a.wav")).unwrap();
    let flac = root.join("day2/b.flac");
    let wav2 = generated(dir, "b.wav", "*0#", 16000);
    tool("flac", "flac", &["-s", "-f", s(&wav2), "-o", s(&flac)]);
    sox(&[s(&wav), "-e", "mu-law", s(&root.join("day2/c.au"))]);
    // Broken: a FLAC cut inside its header, a .wav of text, an empty .mp3.
    let bytes = std::fs::read(&flac).unwrap();
    std::fs::write(root.join("day2/cut.flac"), &bytes[..30]).unwrap();
    std::fs::write(root.join("notes.wav"), b"call notes, not audio\n").unwrap();
    std::fs::write(root.join("empty.mp3"), b"").unwrap();
    // Not a recording by its extension: not scanned.
    std::fs::write(root.join("index.txt"), b"a.wav\n").unwrap();
    root
}

fn scan(args: &[&str]) -> Output {
    run("scan", args)
}

#[test]
fn scan_writes_rows_and_error_rows() {
    let dir = TempDir::new("formats-scan");
    let root = scan_folder(&dir);
    let r = s(&root);
    let o = scan(&["--jobs", "3", r]);
    // Some files could not be decoded: status 1, every file still reported.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8(o.stdout).unwrap();
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("file,channel,start_ms,end_ms,key,low_dbm0,high_dbm0,error")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| {
            // Error messages may be quoted (they can hold commas); the rest never are.
            let mut f: Vec<String> = l.splitn(8, ',').map(str::to_string).collect();
            assert_eq!(f.len(), 8, "{l}");
            f[7] = f[7].trim_matches('"').to_string();
            f
        })
        .collect();
    let file = |name: &str| root.join(name).to_string_lossy().into_owned();
    // Files in name order, folders walked depth-first.
    let order: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let mut expected = vec![file("a.wav"); 3];
    expected.extend(vec![file("day2/b.flac"); 3]);
    expected.extend(vec![file("day2/c.au"); 3]);
    expected.push(file("day2/cut.flac"));
    expected.push(file("empty.mp3"));
    expected.push(file("notes.wav"));
    assert_eq!(order, expected);
    let keys: String = rows.iter().filter_map(|r| r[4].chars().next()).collect();
    assert_eq!(keys, "147*0#147");
    for (i, row) in rows.iter().take(9).enumerate() {
        let start: f64 = row[2].parse().unwrap();
        let end: f64 = row[3].parse().unwrap();
        let t = 70.0 + 140.0 * (i % 3) as f64;
        assert!(
            (start - t).abs() <= 10.0 && (end - t - 70.0).abs() <= 10.0,
            "{row:?}"
        );
        assert_eq!(row[1], "0");
        for level in [&row[5], &row[6]] {
            let l: f64 = level.parse().unwrap();
            assert!((l + 10.0).abs() <= 0.5, "{row:?}");
        }
        assert_eq!(row[7], "", "{row:?}");
    }
    for row in &rows[9..] {
        assert!(row[1..7].iter().all(|f| f.is_empty()), "{row:?}");
        assert!(
            row[7].contains(&row[0]),
            "the error names the file: {row:?}"
        );
    }
    assert!(rows[9][7].contains("ends before"), "{:?}", rows[9]);
    assert!(rows[10][7].contains("empty"), "{:?}", rows[10]);
    assert!(rows[11][7].contains("not a WAV file"), "{:?}", rows[11]);

    // JSON lines: the same, one object per row; a file named directly is always scanned.
    let o = scan(&["--format", "jsonl", &file("a.wav"), &file("notes.wav")]);
    assert_eq!(o.status.code(), Some(1));
    let objs: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 4);
    assert_eq!(objs[0]["key"], "1");
    assert_eq!(objs[0]["channel"], 0);
    assert!(objs[2]["low_dbm0"].as_f64().unwrap() < -9.0);
    assert_eq!(objs[3]["file"], file("notes.wav"));
    assert!(objs[3]["error"]
        .as_str()
        .unwrap()
        .contains("not a WAV file"));

    // Only good files: status 0.
    let o = scan(&[&file("a.wav"), &file("day2")]);
    assert_eq!(o.status.code(), Some(1), "cut.flac is in day2");
    let o = scan(&[&file("a.wav"), &file("day2/b.flac")]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 7);
    // A path that does not exist is an error row too.
    let o = scan(&[&file("a.wav"), &file("nowhere")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8(o.stdout).unwrap().contains("cannot open"));
}

#[test]
fn scan_bad_flags_exit_2() {
    for (args, needle) in [
        (vec![], "no PATH"),
        (vec!["--jobs", "0", "."], "--jobs"),
        (vec!["--jobs", "many", "."], "many"),
        (vec!["--format", "xml", "."], "xml"),
        (vec!["--bogus", "."], "--bogus"),
    ] {
        let o = scan(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
        assert!(o.stdout.is_empty());
    }
}

/// The progress bar is drawn on a terminal (a pseudo-terminal made by `script`) and not when
/// stderr is a pipe.
#[test]
fn progress_bar_only_on_a_terminal() {
    let dir = TempDir::new("formats-tty");
    let root = scan_folder(&dir);
    let good = root.join("day2/b.flac");
    let cmd = format!(
        "{BIN} scan {} {} >/dev/null",
        s(&root.join("a.wav")),
        s(&good)
    );
    let o = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .unwrap_or_else(|e| panic!("`script` could not be run ({e}): apt-get install bsdutils"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let tty = String::from_utf8_lossy(&o.stdout);
    assert!(tty.contains("2/2 files, 6 keys"), "{tty:?}");
    assert!(tty.contains("files/s"), "{tty:?}");
    // The same through a pipe: no bar.
    let o = scan(&[s(&root.join("a.wav")), s(&good)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
