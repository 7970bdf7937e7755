//! Redaction (`touchtone::redact`): keys generated with known edges, mixed into speech,
//! music and white noise at 8, 16 and 48 kHz and through G.711, are taken out so that no
//! decoder finds them afterwards — this crate's detector in every profile and multimon-ng
//! (an independent decoder, run if installed) — and nothing else changes.

use crate::common;

use common::Rng;
use std::f64::consts::{PI, TAU};
use touchtone::generator::dbm0_to_peak;
use touchtone::redact::{Fill, RedactConfig, Redactor, Span};
use touchtone::{g711, Detector, DetectorConfig, Event, Generator, GeneratorConfig, Key};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

type Profile = fn(u32) -> DetectorConfig;

/// The detector profiles redaction is checked with, by name.
fn profiles() -> Vec<(&'static str, Profile)> {
    vec![
        ("standard", DetectorConfig::standard),
        ("relaxed", DetectorConfig::relaxed),
    ]
}

/// The profile the redaction runs with (the command's default): the relaxed profile, the
/// more sensitive one.
fn redaction_profile() -> Profile {
    DetectorConfig::relaxed
}

// ---------------------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Bed {
    Speech,
    Music,
    Noise,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Coding {
    Pcm(u32),
    Ulaw,
    Alaw,
}

impl Coding {
    fn rate(self) -> u32 {
        match self {
            Coding::Pcm(r) => r,
            _ => 8000,
        }
    }
}

/// Band-limited resampling (Hann-windowed sinc, cut off at 0.45 × the lower rate).
fn resample(x: &[f64], from: u32, to: u32) -> Vec<f64> {
    if from == to {
        return x.to_vec();
    }
    let ratio = f64::from(from) / f64::from(to);
    let fc = 0.45 * f64::from(from.min(to)) / f64::from(from); // cycles per input sample
    let half = (16.0 / fc / 2.0).ceil() as isize; // taps each side
    let n_out = (x.len() as f64 / ratio) as usize;
    (0..n_out)
        .map(|n| {
            let t = n as f64 * ratio;
            let c = t.floor() as isize;
            let mut acc = 0.0;
            for k in c - half..=c + half {
                if k < 0 || k as usize >= x.len() {
                    continue;
                }
                let d = t - k as f64;
                let w = 0.5 + 0.5 * (PI * d / (half as f64 + 1.0)).cos();
                let a = 2.0 * fc * d;
                let s = if a.abs() < 1e-12 {
                    1.0
                } else {
                    (PI * a).sin() / (PI * a)
                };
                acc += x[k as usize] * 2.0 * fc * s * w;
            }
            acc
        })
        .collect()
}

fn load8k(name: &str) -> Vec<f64> {
    let a = touchtone::io::read_all(format!("{ROOT}/testdata/{name}")).unwrap();
    a.samples.iter().map(|&s| f64::from(s)).collect()
}

/// `secs` of background at `rate`: a slice of the recordings from `offset_s`, or white
/// noise at −30 dBm0 over the whole band.
fn bed(kind: Bed, rate: u32, offset_s: f64, secs: f64) -> Vec<f64> {
    let n8 = (secs * 8000.0) as usize;
    let o8 = (offset_s * 8000.0) as usize;
    match kind {
        Bed::Speech | Bed::Music => {
            let src = load8k(if kind == Bed::Speech {
                "speech-8k.wav"
            } else {
                "music-8k.wav"
            });
            resample(&src[o8..o8 + n8], 8000, rate)
        }
        Bed::Noise => {
            let mut r = Rng::new(rate as u64 + 7);
            let sd = dbm0_to_peak(-30.0) / 2f64.sqrt();
            (0..(secs * f64::from(rate)) as usize)
                .map(|_| r.gauss() * sd)
                .collect()
        }
    }
}

/// Mean power of `x` in dBm0 (a 0 dBm0 sine has power `dbm0_to_peak(0)² / 2`).
fn power_dbm0(x: &[f64]) -> f64 {
    let p = x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
    10.0 * (p / (dbm0_to_peak(0.0).powi(2) / 2.0)).log10()
}

struct Case {
    rate: u32,
    /// Background alone and background plus keys, unclipped 16-bit units.
    bg: Vec<f64>,
    mix: Vec<f64>,
    /// True keys and their edges (samples).
    truth: Vec<(Key, usize, usize)>,
}

const KEYS: &str = "4111111159*#ABCD0273";

/// Keys 60–80 ms long with 80–120 ms pauses, each tone at the background's mean power plus
/// `snr_db` (so +10 dB puts each tone 10 dB over the bed).
fn case(kind: Bed, coding: Coding, snr_db: f64, seed: u64) -> Case {
    let rate = coding.rate();
    let fs = f64::from(rate);
    let secs = 4.2;
    let bg = bed(kind, rate, 1.5, secs);
    let level = power_dbm0(&bg) + snr_db;
    let gen = Generator::new(GeneratorConfig {
        sample_rate: rate,
        level_dbm0: level,
        ..Default::default()
    })
    .unwrap();
    let mut r = Rng::new(seed);
    let mut mix = bg.clone();
    let mut truth = Vec::new();
    let mut at = (0.2 * fs) as usize;
    for c in KEYS.chars() {
        let key = Key::from_char(c).unwrap();
        let len = (r.range(0.060, 0.080) * fs) as usize;
        gen.add_key(key, &mut mix[at..at + len]);
        truth.push((key, at, at + len));
        at += len + (r.range(0.080, 0.120) * fs) as usize;
    }
    assert!(at < mix.len());
    Case {
        rate,
        bg,
        mix,
        truth,
    }
}

fn to_i16(x: &[f64]) -> Vec<i16> {
    touchtone::generator::to_i16(x)
}

/// The case's input as stored (i16 PCM, or G.711 bytes).
enum Stored {
    Pcm(Vec<i16>),
    G711(Vec<u8>, bool),
}

impl Stored {
    fn of(coding: Coding, x: &[f64]) -> Stored {
        let x = to_i16(x);
        match coding {
            Coding::Pcm(_) => Stored::Pcm(x),
            Coding::Ulaw => {
                Stored::G711(x.iter().map(|&v| g711::linear_to_ulaw(v)).collect(), true)
            }
            Coding::Alaw => {
                Stored::G711(x.iter().map(|&v| g711::linear_to_alaw(v)).collect(), false)
            }
        }
    }
    fn decoded(&self) -> Vec<i16> {
        match self {
            Stored::Pcm(x) => x.clone(),
            Stored::G711(b, true) => b.iter().map(|&v| g711::ULAW_TABLE[v as usize]).collect(),
            Stored::G711(b, false) => b.iter().map(|&v| g711::ALAW_TABLE[v as usize]).collect(),
        }
    }
    fn len(&self) -> usize {
        match self {
            Stored::Pcm(x) => x.len(),
            Stored::G711(b, _) => b.len(),
        }
    }
    /// Whether sample `i` is the same in both.
    fn same_at(&self, other: &Stored, i: usize) -> bool {
        match (self, other) {
            (Stored::Pcm(a), Stored::Pcm(b)) => a[i] == b[i],
            (Stored::G711(a, _), Stored::G711(b, _)) => a[i] == b[i],
            _ => false,
        }
    }
}

/// A redactor of μ-law (`ulaw`) or A-law bytes.
fn g711_redactor(det: DetectorConfig, cfg: &RedactConfig, ulaw: bool) -> Redactor<u8> {
    if ulaw {
        Redactor::ulaw(det, cfg.clone())
    } else {
        Redactor::alaw(det, cfg.clone())
    }
    .unwrap()
}

/// Redact in the whole-buffer mode.
fn redact_file(input: &Stored, det: DetectorConfig, cfg: &RedactConfig) -> (Stored, Vec<Span>) {
    let mut spans = Vec::new();
    let out = match input {
        Stored::Pcm(x) => {
            let mut y = x.clone();
            Redactor::<i16>::new(det, cfg.clone())
                .unwrap()
                .redact_all(&mut y, |s| spans.push(s));
            Stored::Pcm(y)
        }
        Stored::G711(b, ulaw) => {
            let mut y = b.clone();
            g711_redactor(det, cfg, *ulaw).redact_all(&mut y, |s| spans.push(s));
            Stored::G711(y, *ulaw)
        }
    };
    (out, spans)
}

/// Stream `x` through `r` in chunks of the given sizes (cycled), then finish; the output
/// without its leading delay, and the spans.
fn stream<T: Copy>(r: &mut Redactor<T>, x: &[T], sizes: &[usize]) -> (Vec<T>, Vec<Span>) {
    let mut spans = Vec::new();
    let mut out = Vec::with_capacity(x.len() + r.delay());
    let mut i = 0;
    let mut k = 0;
    while i < x.len() {
        let n = sizes[k % sizes.len()].max(1).min(x.len() - i);
        let mut f = x[i..i + n].to_vec();
        r.process(&mut f, |s| spans.push(s));
        out.extend_from_slice(&f);
        i += n;
        k += 1;
    }
    // The stream's first min(delay, length) samples are the delay line's silence.
    let skip = r.delay().min(x.len());
    out.extend_from_slice(r.finish(|s| spans.push(s)));
    (out.split_off(skip), spans)
}

fn redact_stream(
    input: &Stored,
    det: DetectorConfig,
    cfg: &RedactConfig,
    sizes: &[usize],
) -> (Stored, Vec<Span>) {
    match input {
        Stored::Pcm(x) => {
            let mut r = Redactor::<i16>::new(det, cfg.clone()).unwrap();
            let (y, s) = stream(&mut r, x, sizes);
            (Stored::Pcm(y), s)
        }
        Stored::G711(b, ulaw) => {
            let (y, s) = stream(&mut g711_redactor(det, cfg, *ulaw), b, sizes);
            (Stored::G711(y, *ulaw), s)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Decoders and measurements
// ---------------------------------------------------------------------------------------

fn touchtone_keys(det: DetectorConfig, x: &[i16]) -> Vec<(Key, u64, u64)> {
    let mut d = Detector::new(det).unwrap();
    let mut out = Vec::new();
    let mut push = |ev| {
        if let Event::KeyUp { press, .. } = ev {
            out.push((press.key, press.start, press.end));
        }
    };
    d.process(x, &mut push);
    d.finish(&mut push);
    out
}

/// The detector's decision latencies on `x`: the largest `decided_at − start` of a
/// `KeyDown` and `decided_at − end` of a `KeyUp`, samples.
fn latencies(det: DetectorConfig, x: &[i16]) -> (u64, u64) {
    let mut d = Detector::new(det).unwrap();
    let (mut down, mut up) = (0, 0);
    d.process(x, |ev| match ev {
        Event::KeyDown {
            start, decided_at, ..
        } => down = down.max(decided_at - start),
        Event::KeyUp { press, decided_at } => up = up.max(decided_at.saturating_sub(press.end)),
    });
    (down, up)
}

pub(crate) fn multimon_available() -> bool {
    std::process::Command::new("multimon-ng")
        .arg("-h")
        .output()
        .is_ok()
}

/// The keys multimon-ng's DTMF decoder finds in `x` (at `rate`), fed as 22 050 Hz s16le.
pub(crate) fn multimon_keys(x: &[i16], rate: u32, tag: &str) -> String {
    let xf: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let y = to_i16(&resample(&xf, rate, 22050));
    let path =
        std::env::temp_dir().join(format!("touchtone-redact-{}-{tag}.raw", std::process::id()));
    let bytes: Vec<u8> = y.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("multimon-ng")
        .args(["-q", "-c", "-a", "DTMF", "-t", "raw"])
        .arg(&path)
        .output()
        .expect("multimon-ng runs");
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("DTMF: "))
        .collect()
}

/// Power at `f` Hz of `x[a..b]` (|DFT|² of the Hann-windowed samples, 16-bit units). The
/// Hann window keeps a strong partial of the background 50–150 Hz from a DTMF frequency
/// out of that frequency's estimate (a rectangular window's first sidelobes are only
/// 13 dB down: under music it measured the output 1.5 dB over the background, where the
/// Hann estimate measures it 5 dB under).
fn tone_power(x: &[f64], rate: u32, f: f64, a: usize, b: usize) -> f64 {
    let w = TAU * f / f64::from(rate);
    let (mut re, mut im) = (0.0, 0.0);
    let len = (b - a) as f64;
    for (n, &v) in x[a..b].iter().enumerate() {
        let v = v * (0.5 - 0.5 * (TAU * (n as f64 + 0.5) / len).cos());
        re += v * (w * n as f64).cos();
        im -= v * (w * n as f64).sin();
    }
    re * re + im * im
}

const FREQS: [f64; 8] = [697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0];

/// What the output's power around an edge is compared with.
enum Ref<'a> {
    /// The same frequency and window in this signal.
    SameWindow(&'a [i16]),
    /// The background alone: the largest total over the eight frequencies of the 40 ms
    /// windows within ±200 ms of the edge (every 10 ms).
    Surrounding,
}

/// The largest excess, dB, of the output's power at the DTMF frequencies within ±20 ms of
/// a true edge over the reference (per frequency for `SameWindow`, the eight frequencies'
/// total for `Surrounding`).
fn edge_excess_db(c: &Case, out: &[i16], reference: Ref) -> f64 {
    let f64s = |x: &[i16]| x.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>();
    let out = f64s(out);
    let ms = |m: f64| (m * f64::from(c.rate) / 1000.0) as usize;
    let total = |x: &[f64], a: usize, b: usize| -> f64 {
        FREQS.iter().map(|&f| tone_power(x, c.rate, f, a, b)).sum()
    };
    let mut worst = f64::NEG_INFINITY;
    for &(_, s, e) in &c.truth {
        for edge in [s, e] {
            let (a, b) = (edge - ms(20.0), edge + ms(20.0));
            match &reference {
                Ref::SameWindow(r) => {
                    let r = f64s(&r[a..b]);
                    for f in FREQS {
                        let got = tone_power(&out, c.rate, f, a, b);
                        let want = tone_power(&r, c.rate, f, 0, b - a);
                        worst = worst.max(10.0 * (got.max(1e-9) / want.max(1e-9)).log10());
                    }
                }
                Ref::Surrounding => {
                    let got = total(&out, a, b);
                    let mut bg = 0f64;
                    for k in -20i64..=20 {
                        let c0 = edge as i64 + k * ms(10.0) as i64;
                        let (a2, b2) = (c0 - ms(20.0) as i64, c0 + ms(20.0) as i64);
                        if a2 >= 0 && (b2 as usize) <= c.bg.len() {
                            bg = bg.max(total(&c.bg, a2 as usize, b2 as usize));
                        }
                    }
                    worst = worst.max(10.0 * (got.max(1e-9) / bg.max(1e-9)).log10());
                }
            }
        }
    }
    worst
}

// ---------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------

/// Everything the redaction must achieve on one case, with one fill.
fn check(kind: Bed, coding: Coding, snr_db: f64, fill: Fill) {
    let c = case(kind, coding, snr_db, 11);
    let name = format!("{kind:?} {coding:?} {snr_db:+} dB {fill:?}");
    let input = Stored::of(coding, &c.mix);
    let x = input.decoded();
    let cfg = RedactConfig {
        fill,
        ..Default::default()
    };
    let guard = (cfg.guard_ms as f64 * f64::from(c.rate) / 1000.0).ceil() as u64;
    let det = redaction_profile()(c.rate);

    // Before: the keys are there to be found.
    let before = touchtone_keys(det.clone(), &x);
    let found: String = before.iter().map(|k| k.0.to_char()).collect();
    assert_eq!(
        found, KEYS,
        "{name}: the detector must find the keys before"
    );

    let (out, spans) = redact_file(&input, det.clone(), &cfg);
    let y = out.decoded();

    // Every true tone sample is inside a reported span; the spans are no wider than the
    // tone, the guards and 5 ms of edge error on each side.
    assert_eq!(spans.len(), c.truth.len(), "{name}: spans {spans:?}");
    let tol = (0.005 * f64::from(c.rate)) as u64;
    for (&(_, s, e), sp) in c.truth.iter().zip(&spans) {
        let (s, e) = (s as u64, e as u64);
        assert!(sp.start <= s && e <= sp.end, "{name}: {sp:?} for {s}..{e}");
        assert!(
            sp.start + guard + tol >= s && sp.end <= e + guard + tol,
            "{name}: {sp:?} too wide for {s}..{e}"
        );
        assert_eq!((sp.key, sp.unreplaced), (None, 0), "{name}");
    }
    // Outside the spans, bit-identical.
    let inside = |i: usize| {
        spans
            .iter()
            .any(|s| s.start <= i as u64 && (i as u64) < s.end)
    };
    for i in 0..input.len() {
        if !inside(i) {
            assert!(input.same_at(&out, i), "{name}: sample {i} changed");
        }
    }

    // After: no decoder finds a key, in any profile.
    for (pname, profile) in profiles() {
        let keys = touchtone_keys(profile(c.rate), &y);
        assert!(keys.is_empty(), "{name}: profile {pname} finds {keys:?}");
    }
    // No energy at the DTMF frequencies around the true edges beyond the background's.
    // No tone energy is left: at the DTMF frequencies within ±20 ms of each true edge the
    // silence-filled output has no more power than the background alone cut over the same
    // spans (the keys' only trace is the cut itself), and the comfort noise no more than the
    // surrounding background.
    let (sil, _) = redact_file(&input, det.clone(), &RedactConfig::default());
    let sil = sil.decoded();
    // The background as stored, with the spans replaced as in `out` (`cut`) or by silence.
    let bg_stored = Stored::of(coding, &c.bg).decoded();
    let (mut cut, mut cut_sil) = (bg_stored.clone(), bg_stored);
    for sp in &spans {
        let r = sp.start as usize..(sp.end as usize).min(cut.len());
        cut[r.clone()].copy_from_slice(&y[r.clone()]);
        cut_sil[r.clone()].copy_from_slice(&sil[r]);
    }
    let residue = edge_excess_db(&c, &sil, Ref::SameWindow(&cut_sil));
    let vs_bg = edge_excess_db(&c, &sil, Ref::Surrounding);
    eprintln!(
        "{name}: DTMF-bin power within ±20 ms of an edge: {residue:+.2} dB over the cut \
         background, {vs_bg:+.1} dB over the surrounding background"
    );
    assert!(residue <= 0.01, "{name}: {residue:+.2} dB of tone left");
    assert!(
        vs_bg <= 0.0,
        "{name}: {vs_bg:+.1} dB over the surrounding background at the DTMF frequencies"
    );
    if fill == Fill::Noise {
        let only: Vec<i16> = y.iter().zip(&sil).map(|(a, b)| a - b).collect();
        let fill_db = edge_excess_db(&c, &only, Ref::Surrounding);
        eprintln!("{name}: the comfort noise is {fill_db:+.1} dB over the surrounding background");
        assert!(
            fill_db <= 0.0,
            "{name}: comfort noise {fill_db:+.1} dB too loud"
        );
    }

    // Streaming gives the same output, delayed.
    let (s_out, s_spans) = redact_stream(&input, det, &cfg, &[160]);
    assert_eq!(s_spans, spans, "{name}");
    assert!(
        (0..input.len()).all(|i| s_out.same_at(&out, i)) && s_out.len() == out.len(),
        "{name}: streaming differs from the whole-buffer mode"
    );

    // And an independent decoder agrees.
    if multimon_available() {
        let tag = format!("{kind:?}-{}-{snr_db}-{fill:?}", c.rate);
        let mb = multimon_keys(&x, c.rate, &format!("{tag}-in"));
        let ma = multimon_keys(&y, c.rate, &format!("{tag}-out"));
        // multimon-ng's own talk-off: what it finds in the same audio without the keys.
        let mt = multimon_keys(&cut, c.rate, &format!("{tag}-bg"));
        eprintln!("{name}: multimon-ng finds {mb:?} before, {ma:?} after, {mt:?} without the keys");
        assert!(
            mb.len() * 2 >= KEYS.len(),
            "{name}: multimon-ng finds only {mb:?} before redaction"
        );
        assert!(
            ma.len() <= mt.len() && ma.chars().all(|k| mt.contains(k)),
            "{name}: multimon-ng finds {ma:?} after redaction, {mt:?} without the keys"
        );
    } else {
        eprintln!("skipped: multimon-ng is not installed (apt-get install multimon-ng)");
    }
}

/// Every case of one background: each coding at each SNR, with each fill (every failure
/// message of [`check`] names its case).
fn all_cases(kind: Bed, codings: &[Coding], snrs_db: &[f64]) {
    for &coding in codings {
        for &snr_db in snrs_db {
            for fill in [Fill::Silence, Fill::Noise] {
                check(kind, coding, snr_db, fill);
            }
        }
    }
}

/// The codings each background is checked in.
const SPEECH_CODINGS: [Coding; 5] = [
    Coding::Pcm(8000),
    Coding::Pcm(16000),
    Coding::Pcm(48000),
    Coding::Ulaw,
    Coding::Alaw,
];
const MUSIC_CODINGS: [Coding; 4] = [
    Coding::Pcm(8000),
    Coding::Pcm(16000),
    Coding::Pcm(48000),
    Coding::Ulaw,
];
const NOISE_CODINGS: [Coding; 4] = [
    Coding::Pcm(8000),
    Coding::Pcm(16000),
    Coding::Pcm(48000),
    Coding::Alaw,
];

#[test]
fn speech_plus_10db_all_rates_and_g711() {
    all_cases(Bed::Speech, &SPEECH_CODINGS, &[10.0]);
}

/// Keys 5 dB over speech (the standard profile alone finds only 17 of the 20; the relaxed
/// profile all, and edge tracking widens the spans where it places an end early).
#[test]
fn speech_plus_5db_all_rates_and_g711() {
    all_cases(Bed::Speech, &SPEECH_CODINGS, &[5.0]);
}

#[test]
fn music_plus_10db_all_rates_and_g711() {
    all_cases(Bed::Music, &MUSIC_CODINGS, &[10.0]);
}

/// Keys 5 dB over music: the relaxed profile finds 18 of the 20 at 8 kHz (the detector's
/// talk-down goal under music is not met yet: tests/field.rs), and a key it misses stays.
#[test]
#[ignore = "the relaxed profile misses 2 of 20 keys 5 dB over music"]
fn music_plus_5db_all_rates_and_g711() {
    all_cases(Bed::Music, &MUSIC_CODINGS, &[5.0]);
}

#[test]
fn noise_all_rates_and_g711() {
    all_cases(Bed::Noise, &NOISE_CODINGS, &[10.0, 5.0]);
}

/// The delay covers the detector's decisions, in both profiles: the largest measured
/// `KeyDown` latency (from the tone's estimated start) plus the guard, and the largest
/// `KeyUp` latency (from its estimated end), are within the delay.
#[test]
fn delay_covers_the_measured_decision_latencies() {
    let cfg = RedactConfig::default();
    for (pname, profile) in profiles() {
        for coding in [Coding::Pcm(8000), Coding::Pcm(16000), Coding::Pcm(48000)] {
            let rate = coding.rate();
            let (mut down, mut up) = (0, 0);
            for kind in [Bed::Speech, Bed::Music, Bed::Noise] {
                for snr in [10.0, 5.0] {
                    let c = case(kind, coding, snr, 3);
                    let (d, u) = latencies(profile(rate), &to_i16(&c.mix));
                    down = down.max(d);
                    up = up.max(u);
                }
            }
            let r = Redactor::<i16>::new(profile(rate), cfg.clone()).unwrap();
            let guard = (cfg.guard_ms as f64 * f64::from(rate) / 1000.0).ceil() as u64;
            let ms = |s: u64| s as f64 * 1000.0 / f64::from(rate);
            eprintln!(
                "{pname} {rate} Hz: KeyDown latency ≤ {:.1} ms, KeyUp latency ≤ {:.1} ms, \
                 delay {:.1} ms",
                ms(down),
                ms(up),
                ms(r.delay() as u64)
            );
            assert!(down + guard <= r.delay() as u64 && up <= r.delay() as u64);
        }
    }
}

/// Talk-off material (speech and music with no keys) changes only where the detector
/// finds a (false) key: with the standard profile nowhere; with the relaxed profile only
/// inside one span per false key, holding that key's estimated edges and no wider than
/// them plus the guard and the tracking limit each side. Both fills.
#[test]
fn talk_off_material_changes_only_at_the_detectors_false_keys() {
    let cfg = RedactConfig::default();
    let reach = ((cfg.guard_ms + cfg.track_ms) as f64 * 8.0).ceil() as u64;
    for name in ["speech-8k.wav", "music-8k.wav", "speech-real-8k.wav"] {
        if name == "speech-real-8k.wav"
            && !std::path::Path::new(&format!("{ROOT}/testdata/{name}")).exists()
        {
            // GPL-2 test data, left out of the published crate (see testdata/README.md).
            println!("skipped: testdata/{name} is not here (excluded from the published crate)");
            continue;
        }
        let x: Vec<i16> = load8k(name).iter().map(|&v| v as i16).collect();
        for fill in [Fill::Silence, Fill::Noise] {
            let cfg = RedactConfig {
                fill,
                ..cfg.clone()
            };
            for (pname, profile) in profiles() {
                let false_keys = touchtone_keys(profile(8000), &x);
                if pname == "standard" {
                    assert!(false_keys.is_empty(), "{name}: {false_keys:?}");
                }
                let mut y = x.clone();
                let mut spans = Vec::new();
                Redactor::<i16>::new(profile(8000), cfg.clone())
                    .unwrap()
                    .redact_all(&mut y, |s| spans.push(s));
                assert_eq!(spans.len(), false_keys.len(), "{name} {pname}: {spans:?}");
                for (sp, &(_, s, e)) in spans.iter().zip(&false_keys) {
                    assert!(
                        sp.start <= s
                            && e <= sp.end
                            && s - sp.start <= reach
                            && sp.end - e <= reach,
                        "{name} {pname}: {sp:?} for a false key at {s}..{e}"
                    );
                }
                let changed = (0..x.len()).filter(|&i| x[i] != y[i]).count();
                let outside = (0..x.len())
                    .filter(|&i| {
                        x[i] != y[i]
                            && !spans
                                .iter()
                                .any(|s| s.start <= i as u64 && (i as u64) < s.end)
                    })
                    .count();
                eprintln!(
                    "{name} {pname} {fill:?}: {} false keys, {changed} of {} samples changed \
                     ({:.0} ms)",
                    false_keys.len(),
                    x.len(),
                    changed as f64 / 8.0
                );
                assert_eq!(outside, 0, "{name} {pname}");
            }
        }
    }
}

/// The key is reported only when asked for.
#[test]
fn keys_are_revealed_only_on_request() {
    let c = case(Bed::Noise, Coding::Pcm(8000), 10.0, 5);
    let mut x = to_i16(&c.mix);
    let cfg = RedactConfig {
        reveal_keys: true,
        ..Default::default()
    };
    let mut keys = String::new();
    Redactor::<i16>::new(DetectorConfig::default(), cfg)
        .unwrap()
        .redact_all(&mut x, |s| keys.push(s.key.unwrap().to_char()));
    assert_eq!(keys, KEYS);
}

mod chunking {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Any framing of the stream gives the whole-buffer output, delayed, and the same
        /// spans: i16 at 8 and 16 kHz and μ-law, comfort noise (position-seeded) included.
        #[test]
        fn any_chunking_gives_the_whole_buffer_output(
            sizes in proptest::collection::vec(1usize..2000, 1..12),
            which in 0usize..3,
            noise in any::<bool>(),
        ) {
            let coding = [Coding::Pcm(8000), Coding::Pcm(16000), Coding::Ulaw][which];
            let c = case(Bed::Speech, coding, 10.0, 9);
            let input = Stored::of(coding, &c.mix[..c.mix.len() / 2]);
            let cfg = RedactConfig {
                fill: if noise { Fill::Noise } else { Fill::Silence },
                ..Default::default()
            };
            let det = DetectorConfig::relaxed(c.rate);
            let (out, spans) = redact_file(&input, det.clone(), &cfg);
            prop_assert!(spans.len() >= 8);
            let (s_out, s_spans) = redact_stream(&input, det, &cfg, &sizes);
            prop_assert_eq!(s_spans, spans);
            prop_assert_eq!(s_out.len(), out.len());
            prop_assert!((0..out.len()).all(|i| s_out.same_at(&out, i)));
        }
    }
}

/// f32 samples: untouched samples keep their exact bits (values no i16 can hold, NaN
/// included), replaced ones are the fill.
#[test]
fn f32_outside_the_spans_keeps_its_bits() {
    let c = case(Bed::Noise, Coding::Pcm(16000), 10.0, 2);
    let mut x: Vec<f32> = c.mix.iter().map(|&v| (v / 32768.0) as f32 + 1e-7).collect();
    x[7] = f32::NAN;
    let orig = x.clone();
    let mut spans = Vec::new();
    Redactor::<f32>::new(DetectorConfig::with_rate(16000), RedactConfig::default())
        .unwrap()
        .redact_all(&mut x, |s| spans.push(s));
    assert_eq!(spans.len(), KEYS.len());
    for (i, (a, b)) in x.iter().zip(&orig).enumerate() {
        let inside = spans
            .iter()
            .any(|s| s.start <= i as u64 && (i as u64) < s.end);
        if inside {
            assert_eq!(*a, 0.0, "sample {i}");
        } else {
            assert_eq!(a.to_bits(), b.to_bits(), "sample {i}");
        }
    }
}

/// A WAV file of each stored kind, two channels with different keys: `redact_wav` keeps the
/// header and every untouched byte, removes each channel's keys, and writes the fill in
/// the file's own encoding.
#[test]
fn wav_files_of_every_kind_keep_their_format() {
    use touchtone::io::Encoding;
    use touchtone::redact::redact_wav;
    let a = to_i16(&case(Bed::Noise, Coding::Pcm(8000), 10.0, 1).mix);
    let b: Vec<i16> = to_i16(&case(Bed::Noise, Coding::Pcm(8000), 10.0, 4).mix);
    let n = a.len().min(b.len());
    for enc in [
        Encoding::U8,
        Encoding::S16,
        Encoding::S24,
        Encoding::S32,
        Encoding::F32,
        Encoding::F64,
        Encoding::Ulaw,
        Encoding::Alaw,
    ] {
        let (tag, bits): (u16, u16) = match enc {
            Encoding::U8 => (1, 8),
            Encoding::S16 => (1, 16),
            Encoding::S24 => (1, 24),
            Encoding::S32 => (1, 32),
            Encoding::F32 => (3, 32),
            Encoding::F64 => (3, 64),
            Encoding::Ulaw => (7, 8),
            Encoding::Alaw => (6, 8),
        };
        let bps = usize::from(bits / 8);
        let mut data = Vec::new();
        for i in 0..n {
            for v in [a[i], b[i]] {
                let s: Vec<u8> = match enc {
                    Encoding::U8 => vec![((v >> 8) + 128) as u8],
                    Encoding::S16 => v.to_le_bytes().to_vec(),
                    Encoding::S24 => ((i32::from(v) << 8) | 0x5A).to_le_bytes()[..3].to_vec(),
                    Encoding::S32 => ((i32::from(v) << 16) | 0x1234).to_le_bytes().to_vec(),
                    Encoding::F32 => (f32::from(v) / 32768.0).to_le_bytes().to_vec(),
                    Encoding::F64 => (f64::from(v) / 32768.0).to_le_bytes().to_vec(),
                    Encoding::Ulaw => vec![g711::linear_to_ulaw(v)],
                    Encoding::Alaw => vec![g711::linear_to_alaw(v)],
                };
                data.extend(s);
            }
        }
        let mut wav = Vec::new();
        let fmt_len = 16u32;
        wav.extend(b"RIFF");
        wav.extend((4 + 8 + fmt_len + 8 + 12 + 8 + data.len() as u32).to_le_bytes());
        wav.extend(b"WAVEfmt ");
        wav.extend(fmt_len.to_le_bytes());
        wav.extend(tag.to_le_bytes());
        wav.extend(2u16.to_le_bytes());
        wav.extend(8000u32.to_le_bytes());
        wav.extend((8000 * 2 * bps as u32).to_le_bytes());
        wav.extend((2 * bps as u16).to_le_bytes());
        wav.extend(bits.to_le_bytes());
        wav.extend(b"LIST");
        wav.extend(4u32.to_le_bytes());
        wav.extend(b"INFO");
        wav.extend(b"data");
        wav.extend((data.len() as u32).to_le_bytes());
        let off = wav.len();
        wav.extend(&data);
        let r = redact_wav(&wav, DetectorConfig::relaxed, &RedactConfig::default()).unwrap();
        assert_eq!(r.bytes.len(), wav.len(), "{enc:?}");
        assert_eq!(r.bytes[..off], wav[..off], "{enc:?}: header changed");
        for ch in 0..2u16 {
            let spans: Vec<&Span> = r.spans.iter().filter(|s| s.0 == ch).map(|s| &s.1).collect();
            assert_eq!(spans.len(), KEYS.len(), "{enc:?} channel {ch}");
            for f in 0..n {
                let at = off + (2 * f + usize::from(ch)) * bps;
                let inside = spans
                    .iter()
                    .any(|s| s.start <= f as u64 && (f as u64) < s.end);
                let (got, was) = (&r.bytes[at..at + bps], &wav[at..at + bps]);
                if !inside {
                    assert_eq!(got, was, "{enc:?} channel {ch} frame {f}");
                }
            }
        }
        let audio =
            touchtone::io::Audio::from_reader(touchtone::io::Reader::new(&r.bytes[..]).unwrap())
                .unwrap();
        for ch in 0..2 {
            for (pname, profile) in profiles() {
                let keys = touchtone_keys(profile(8000), &audio.channel(ch));
                assert!(keys.is_empty(), "{enc:?} channel {ch} {pname}: {keys:?}");
            }
        }
    }
}

/// Streams shorter than the delay, and the empty stream: the output is the input (no key
/// in it), after as much silence; the redactor is reusable after `finish`.
#[test]
fn short_streams_come_out_whole() {
    let mut r = Redactor::<i16>::new(DetectorConfig::relaxed(8000), Default::default()).unwrap();
    assert_eq!(r.delay(), 640);
    for n in [0usize, 1, 100, 639, 640, 641, 2000] {
        let x: Vec<i16> = (0..n).map(|i| (i as i16).wrapping_mul(7) % 300).collect();
        let mut f = x.clone();
        r.process(&mut f, |_| panic!("no key"));
        let skip = r.delay().min(n);
        assert!(f[..skip].iter().all(|&v| v == 0), "{n}");
        let mut all = f;
        all.extend_from_slice(r.finish(|_| panic!("no key")));
        assert_eq!(all[skip..], x[..], "{n}");
    }
}

/// Bytes that are not a WAV file, or a damaged one, give an error, never a panic.
#[test]
fn damaged_wav_input_is_an_error_not_a_panic() {
    use touchtone::redact::{redact_wav, RedactError};
    let good = std::fs::read(format!("{ROOT}/testdata/keys-stereo.wav")).unwrap();
    let mut rng = Rng::new(1);
    for cut in [0, 3, 12, 20, 36, 44, 45, 1001] {
        let r = redact_wav(
            &good[..cut],
            DetectorConfig::with_rate,
            &RedactConfig::default(),
        );
        if cut < 44 {
            assert!(matches!(r, Err(RedactError::Wav(_))), "{cut}");
        } else {
            assert!(r.unwrap().truncated, "{cut}");
        }
    }
    for _ in 0..200 {
        let mut b = good[..400].to_vec();
        for _ in 0..4 {
            let i = rng.below(60);
            b[i] = rng.next_u64() as u8;
        }
        let _ = redact_wav(&b, DetectorConfig::with_rate, &RedactConfig::default());
    }
}

/// Keys only the relaxed profile finds: 16 dB reverse twist (every key but 4, which relaxed
/// misses too: tests/field.rs) at 8, 16 and 48 kHz, and 40 ms tones 25 ms apart with an
/// 8 ms noise burst inside each, in PCM and μ-law. Redaction with the relaxed profile (the
/// command's default) removes every key relaxed finds (all but at most one per sequence):
/// each lies wholly in a span, and afterwards neither profile finds a key, nor multimon-ng
/// any but one relaxed missed.
#[test]
fn keys_only_the_relaxed_profile_finds_are_removed() {
    use common::{KeySpec, Signal};
    let mut cases: Vec<(String, Signal, Coding)> = Vec::new();
    let mut rng = Rng::new(16);
    for rate in [8000, 16000, 48000] {
        let mut s = Signal::new(rate);
        s.pause(150.0);
        for &k in Key::ALL.iter().filter(|k| k.to_char() != '4') {
            s.key(&KeySpec::new(k, 80.0, -10.0).levels(-24.0, -8.0), &mut rng);
            s.pause(80.0);
        }
        s.pause(150.0);
        s.noise(-50.0, &mut rng);
        cases.push((
            format!("reverse twist 16 dB at {rate} Hz"),
            s,
            Coding::Pcm(rate),
        ));
    }
    for coding in [Coding::Pcm(8000), Coding::Ulaw] {
        let mut s = Signal::new(8000);
        s.pause(150.0);
        for &k in &Key::ALL {
            let start = s.cursor;
            s.key(&KeySpec::new(k, 40.0, -15.0), &mut rng);
            let p = dbm0_to_peak(-15.0);
            let from = start + s.samples(rng.range(8.0, 24.0));
            for i in from..from + s.samples(8.0) {
                s.x[i] += (p * rng.gauss()).clamp(-2.0 * p, 2.0 * p);
            }
            s.pause(25.0);
        }
        s.pause(150.0);
        s.noise(-50.0, &mut rng);
        cases.push((
            format!("40 ms tones with noise bursts, {coding:?}"),
            s,
            coding,
        ));
    }
    for (name, s, coding) in cases {
        let rate = s.rate;
        let input = Stored::of(coding, &s.x);
        let x = input.decoded();
        let want: String = s.truth.iter().map(|t| t.key.to_char()).collect();
        let std_keys: String = touchtone_keys(DetectorConfig::standard(rate), &x)
            .iter()
            .map(|k| k.0.to_char())
            .collect();
        let rel_keys: String = touchtone_keys(DetectorConfig::relaxed(rate), &x)
            .iter()
            .map(|k| k.0.to_char())
            .collect();
        eprintln!("{name}: before, standard finds {std_keys:?}, relaxed {rel_keys:?} of {want:?}");
        // Relaxed misses a key here and there under 16 dB reverse twist (key 4 always,
        // tests/field.rs): at most one, which then stays in the recording.
        assert!(
            rel_keys.len() + 1 >= want.len(),
            "{name}: relaxed finds only {rel_keys:?} of {want:?} before"
        );
        assert!(
            std_keys.len() * 2 <= want.len(),
            "{name}: standard finds {std_keys:?}: these keys do not need the relaxed profile"
        );
        for fill in [Fill::Silence, Fill::Noise] {
            let cfg = RedactConfig {
                fill,
                ..Default::default()
            };
            let (out, spans) = redact_file(&input, DetectorConfig::relaxed(rate), &cfg);
            let y = out.decoded();
            // Every key found is wholly inside one span.
            assert_eq!(spans.len(), rel_keys.len(), "{name} {fill:?}: {spans:?}");
            let mut covered = 0;
            for t in &s.truth {
                let touching: Vec<_> = spans
                    .iter()
                    .filter(|sp| sp.start < t.end && t.start < sp.end)
                    .collect();
                if touching.is_empty() {
                    continue;
                }
                covered += 1;
                assert!(
                    touching
                        .iter()
                        .any(|sp| sp.start <= t.start && t.end <= sp.end),
                    "{name} {fill:?}: {t:?} is not inside one span: {touching:?}"
                );
            }
            assert_eq!(covered, rel_keys.len(), "{name} {fill:?}");
            for (pname, profile) in profiles() {
                let keys = touchtone_keys(profile(rate), &y);
                assert!(
                    keys.is_empty(),
                    "{name} {fill:?}: profile {pname} finds {keys:?}"
                );
            }
            let (s_out, s_spans) =
                redact_stream(&input, DetectorConfig::relaxed(rate), &cfg, &[160]);
            assert_eq!(s_spans, spans, "{name} {fill:?}");
            assert!(
                (0..input.len()).all(|i| s_out.same_at(&out, i)),
                "{name} {fill:?}: streaming differs"
            );
            if multimon_available() {
                let tag = format!("relaxed-only-{coding:?}-{fill:?}-{}", s.truth.len());
                let mb = multimon_keys(&x, rate, &format!("{tag}-in"));
                let ma = multimon_keys(&y, rate, &format!("{tag}-out"));
                eprintln!("{name} {fill:?}: multimon-ng finds {mb:?} before, {ma:?} after");
                // A key relaxed missed may still be there for multimon-ng: nothing else.
                let missed: String = want.chars().filter(|&k| !rel_keys.contains(k)).collect();
                assert!(
                    ma.chars().all(|k| missed.contains(k)),
                    "{name} {fill:?}: multimon-ng finds {ma:?} (keys relaxed missed: {missed:?})"
                );
            }
        }
    }
}
